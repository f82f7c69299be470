use driveshelf::args::{self, Command};

// Counting around the real allocator: PDF jobs run under a memory budget
// (src/pdf/budget.rs); other threads pay two thread-local reads.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: driveshelf::pdf::CountingAlloc<mimalloc::MiMalloc> =
    driveshelf::pdf::CountingAlloc(mimalloc::MiMalloc);
#[cfg(not(target_os = "linux"))]
#[global_allocator]
static ALLOCATOR: driveshelf::pdf::CountingAlloc<std::alloc::System> =
    driveshelf::pdf::CountingAlloc(std::alloc::System);

fn main() {
    #[cfg(target_os = "linux")]
    driveshelf::alloc::tune();
    let code = match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Serve(opts)) => driveshelf::serve::run(opts),
        Ok(Command::Check(opts)) => driveshelf::check::run(opts),
        Ok(Command::Prepare(opts)) => driveshelf::prepare::run(opts),
        Ok(Command::Help) => {
            print!("{}", args::HELP);
            0
        }
        Ok(Command::Version) => {
            println!("driveshelf {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Err(e) => {
            eprintln!("driveshelf: {e}\n(driveshelf --help)");
            2
        }
    };
    std::process::exit(code);
}
