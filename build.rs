// rust-embed reads web/ at compile time; without this a release build does not
// notice new or changed assets.
fn main() {
    println!("cargo:rerun-if-changed=web");
}
