use driveshelf::args::{self, Command};

#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
