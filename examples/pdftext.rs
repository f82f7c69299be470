//! Prints the text our PDF room reads from each file given, page by page
//! (for comparing with `pdftotext` by hand).
fn main() {
    for path in std::env::args_os().skip(1) {
        let budget = driveshelf::pdf::Budget::default();
        match driveshelf::pdf::extract_text(std::path::Path::new(&path), &budget) {
            Ok(doc) => {
                for (i, p) in doc.pages.iter().enumerate() {
                    println!("--- page {} ---\n{p}", i + 1);
                }
            }
            Err(e) => println!("{}: {e}", path.to_string_lossy()),
        }
    }
}
