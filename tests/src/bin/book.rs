//! Writes the companion book's generated pages (`book/src/*.md`) from the examples' headers and
//! the README: `cargo run -p harness --bin book`. See `harness::book`.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "\
usage: book

Writes the companion book's generated pages (book/src/*.md) from the examples' headers and the
README. It takes no options; a test fails when the pages are stale.";

fn main() -> ExitCode {
    shared::start(USAGE).no_options();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace");
    let pages = match harness::book::pages(root) {
        Ok(pages) => pages,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (path, text) in pages {
        let path = root.join(path);
        let written = std::fs::create_dir_all(path.parent().expect("a folder"))
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
