//! Wrong: no writer and no reader process: the lines printed by one process.
//! Says: child process

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for value in &args {
        println!("Put {value} to queue...");
    }
    for value in &args {
        println!("Get {value} from queue.");
    }
}
