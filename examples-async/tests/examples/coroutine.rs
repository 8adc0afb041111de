//! Lesson: a producer and a consumer take turns on one thread, each handing the other a value
//! at its `yield`.

use harness::bin;

#[test]
fn coroutine_prints_the_tutorial_output_byte_for_byte() {
    let out = bin(env!("CARGO_BIN_EXE_coroutine")).run();
    out.assert_success();
    let mut expected = String::new();
    for n in 1..=5 {
        expected += &format!(
            "[PRODUCER] Producing {n}...\n[CONSUMER] Consuming {n}...\n[PRODUCER] Consumer return: 200 OK\n"
        );
    }
    assert_eq!(out.stdout, expected);
}
