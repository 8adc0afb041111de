//! Wrong: no child: the parent puts the text in capitals itself.
//! Says: no child process

use std::io::Read;

fn main() {
    shared::start("usage: communicate").no_options();
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).unwrap();
    println!("{}", text.to_uppercase().trim_end());
}
