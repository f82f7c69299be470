use driveshelf::args::{self, Command};

fn main() {
    let code = match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Serve(opts)) => driveshelf::serve::run(opts),
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
