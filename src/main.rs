//! The `newsroom` binary: parses the command line, runs one command, and
//! turns library errors into messages and exit codes. Everything that is
//! not about the command line lives in the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("newsroom: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
