//! 协程, asyncio, async/await, aiohttp: the checks whose lesson is coroutines and async IO.

use super::{source_has, words};
use crate::doubles::{Servers, http_get};
use crate::lang::count;
use crate::run::{self, Check, Failure, Options};
use crate::say;
use std::time::Duration;

/// take_turns: a producer and a consumer coroutine take turns on one thread, each `resume`
/// running the consumer up to its next `suspend`. Seen: a count the checker chooses, and the
/// turns in order; backed up by `.resume(` in the source.
pub fn take_turns(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    // Never 5, the count a program that ignores its argument would make.
    let n = [3, 4, 6, 7, 8][fastrand::usize(..5)];
    let hung = say!(
        lang,
        "a few numbers take no time: does the producer's loop end?",
        "几个数用不了多少时间：生产者的循环会结束吗？"
    );
    let options = Options {
        args: vec![n.to_string()],
        ..Options::default()
    };
    let out = run::run(check, options, &hung)?;
    out.succeeded(lang)?;
    let want: Vec<String> = (1..=n)
        .flat_map(|i| {
            [
                format!("[PRODUCER] Producing {i}..."),
                format!("[CONSUMER] Consuming {i}..."),
                "[PRODUCER] Consumer return: 200 OK".to_string(),
            ]
        })
        .collect();
    let lines = out.lines();
    if lines != want {
        let turns = lines.iter().zip(&want).take_while(|(a, b)| a == b).count() / 3;
        return Err(Failure::new(say!(
            lang,
            "producer and consumer took {turns} of {n} turns (the count comes as an argument): the producer produces a number, the consumer consumes it and answers, then the next",
            "生产者和消费者只轮流了 {turns} 次，应为 {n} 次（次数由命令行参数给出）：生产者生产一个数，消费者消费它并回答，然后才轮到下一个数"
        ))
        .with(&out));
    }
    if !source_has(check, ".resume(") {
        return Err(Failure::new(say!(
            lang,
            "the lines are right, but nothing in the file resumes the consumer coroutine: the producer must hand each number over with consumer.resume(n)",
            "输出是对的，但文件里没有任何地方恢复执行（resume）消费者协程：生产者必须用 consumer.resume(n) 把每个数交给它"
        ))
        .with(&out));
    }
    Ok(())
}

/// fetch_concurrently: tasks on one event loop wait for their servers at once, on one thread.
/// Seen: the checker's server sees every fetch open at once; the checker counts the program's
/// threads while they are; each answer carries a token the server chose.
pub fn fetch_concurrently(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let n = fastrand::usize(3..=5);
    let servers = Servers::start(n, Duration::from_millis(1500)).map_err(|e| {
        say!(
            lang,
            "the checker cannot serve: {e}",
            "检查程序无法提供服务：{e}"
        )
    })?;
    let hung = say!(
        lang,
        "the fetches take a second or two",
        "这些下载一两秒就能完成"
    );
    let options = Options {
        args: vec![servers.addr.clone(); n],
        ..Options::default()
    };
    let out = run::run(check, options, &hung)?;
    out.succeeded(lang)?;
    let tokens = shared::lock(&servers.tokens).clone();
    let printed = out.lines();
    let answered = tokens
        .iter()
        .filter(|t| {
            printed
                .iter()
                .any(|l| l.ends_with(&format!(": HTTP/1.0 200 {t}")))
        })
        .count();
    if answered != n || printed.len() != n {
        return Err(Failure::new(say!(
            lang,
            "it printed {answered} of the {n} servers' answers: one line for each, `ADDR: ` and the first line of its answer",
            "{n} 个服务器的响应，它只输出了 {answered} 个：每个响应一行，`ADDR: ` 加上响应的第一行"
        ))
        .with(&out));
    }
    let most = servers.most_open.load(std::sync::atomic::Ordering::SeqCst);
    if most < n {
        let at_once = count(lang, most, "fetch", "fetches", "个下载");
        return Err(Failure::new(say!(
            lang,
            "the server saw at most {at_once} open at once, of {n}: each waited for the one before; start all of them first",
            "共 {n} 个下载，服务器看到同时进行的最多只有 {at_once}：每个下载都在等前一个；要先把它们全部启动"
        ))
        .with(&out));
    }
    if out.seen.watched && out.seen.most_threads > 1 {
        let t = count(lang, out.seen.most_threads, "thread", "threads", "个线程");
        return Err(Failure::new(say!(
            lang,
            "the fetches ran on {t}: the tasks of one event loop wait together on its one thread",
            "这些下载用了 {t}：同一个消息循环的任务在它唯一的线程上一起等待"
        ))
        .with(&out));
    }
    Ok(())
}

/// two_waits: two coroutines that wait, awaited together, wait at once on one thread: the two
/// waits take the time of one. Seen: the checker's clock (not less than one wait), its
/// thread asleep for a wait (the checker's looks), the order of the lines, and its threads.
pub fn two_waits(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let scale = 0.3 + fastrand::f64() * 0.15;
    let wait = Duration::from_secs_f64(scale);
    let hung = say!(
        lang,
        "two waits of under half a second",
        "两次等待，每次不到半秒"
    );
    let options = Options {
        scale,
        ..Options::default()
    };
    let out = run::run(check, options, &hung)?;
    out.succeeded(lang)?;
    let lines = out.lines();
    let at = |line: &str| lines.iter().position(|l| l == line);
    let worlds = [at("Hello world! (1)"), at("Hello world! (2)")];
    let agains = [at("Hello again! (1)"), at("Hello again! (2)")];
    let (Some(w1), Some(w2), Some(a1), Some(a2)) = (worlds[0], worlds[1], agains[0], agains[1])
    else {
        return Err(Failure::new(say!(
            lang,
            "both hellos should greet twice, `Hello world! (n)` and `Hello again! (n)`",
            "两个 hello 都应问候两次：`Hello world! (n)` 和 `Hello again! (n)`"
        ))
        .with(&out));
    };
    if w1.max(w2) > a1.min(a2) {
        return Err(Failure::new(say!(
            lang,
            "one hello started only once the other had finished: the waits did not overlap; await both together",
            "一个 hello 要等另一个结束后才开始：两次等待没有重叠；要同时 await 两者"
        ))
        .with(&out));
    }
    // It waited: by the checker's clock (a program that does not wait may still take as long
    // on a busy machine), and as the checker saw it, its thread asleep for most of a wait.
    let idle = out.seen.idle.as_secs_f64();
    if out.wall < wait || (out.seen.watched && idle < wait.as_secs_f64() / 2.0) {
        let w = wait.as_secs_f64();
        return Err(Failure::new(say!(
            lang,
            "its thread slept {idle:.2} s, less than one wait of {w:.2} s: each hello must really wait (tokio::time::sleep, scaled)",
            "它的线程只休眠了 {idle:.2} 秒，比一次 {w:.2} 秒的等待还短：每个 hello 都必须真的等待（tokio::time::sleep，按比例缩放）"
        ))
        .with(&out));
    }
    if out.seen.watched && out.seen.most_threads > 1 {
        let t = count(lang, out.seen.most_threads, "thread", "threads", "个线程");
        return Err(Failure::new(say!(
            lang,
            "the waits ran on {t}: two coroutines wait at once on the event loop's one thread",
            "这些等待用了 {t}：两个协程在消息循环唯一的线程上同时等待"
        ))
        .with(&out));
    }
    Ok(())
}

/// `text` with HTML's entities read back (`&lt;` is `<`), or `None` if a `&` starts none.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (entity, after) = rest[at + 1..].split_once(';')?;
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let number = entity.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// A name in a URL's path, percent-encoded.
fn percent_encoded(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// escaped_route: a route with two parameters answers each pair, and text from a visitor goes
/// into HTML escaped, never as HTML, whichever parameter brings it. Seen: greetings and names the
/// checker chooses, markup and entities in one or the other, through the program's own server.
pub fn escaped_route(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let options = Options {
        args: vec!["--addr".into(), "127.0.0.1:0".into()],
        ..Options::default()
    };
    let mut server = run::start(check, options)?;
    let Some(line) = server.wait_for_line(|l| l.starts_with("Server started at http://")) else {
        let why = say!(
            lang,
            "it never said where it listens",
            "它一直没说自己在哪里监听"
        );
        return Err(server.stop(why));
    };
    let addr = line
        .trim_start_matches("Server started at http://")
        .trim_end_matches("...")
        .to_string();
    let deadline = check.deadline;
    let plain = || {
        let w = &words(1)[0];
        w[..1].to_uppercase() + &w[1..]
    };
    let hostile = || format!("<i>{}</i> & &lt;{}\"'", plain(), fastrand::u32(10..100));
    let (greeting, name) = (plain(), plain());
    let pairs = [
        (greeting.clone(), name.clone()),
        (hostile(), name),
        (greeting, hostile()),
    ];
    let mut verdict = Ok(());
    for (greeting, name) in &pairs {
        let path = format!(
            "/greet/{}/{}",
            percent_encoded(greeting),
            percent_encoded(name)
        );
        let answer = http_get(&addr, &path, deadline);
        let why = match answer {
            Err(e) => say!(
                lang,
                "GET {path} got no answer: {e}",
                "GET {path} 没有得到响应：{e}"
            ),
            Ok((404, _)) => say!(
                lang,
                "GET /greet/GREETING/NAME answered 404: add the route /greet/{{greeting}}/{{name}}",
                "GET /greet/GREETING/NAME 的响应是 404：要加上路由 /greet/{{greeting}}/{{name}}"
            ),
            Ok((200, body)) => {
                let inside = body
                    .strip_prefix("<h1>")
                    .and_then(|b| b.strip_suffix("!</h1>"))
                    .and_then(|b| b.split_once(", "));
                match inside {
                    None => say!(
                        lang,
                        "GET /greet/GREETING/NAME should answer <h1>GREETING, NAME!</h1>; it answered {body:?}",
                        "GET /greet/GREETING/NAME 应返回 <h1>GREETING, NAME!</h1>；它返回的是 {body:?}"
                    ),
                    Some((g, n)) if g.contains('<') || n.contains('<') => say!(
                        lang,
                        "a parameter came back as HTML ({g}, {n}): a visitor's <script> would run; escape each",
                        "有参数被当作 HTML 原样返回了（{g}, {n}）：那样访客的 <script> 就会运行；每个参数都要转义"
                    ),
                    Some((g, n))
                        if unescape(g).as_ref() == Some(greeting)
                            && unescape(n).as_ref() == Some(name) =>
                    {
                        continue;
                    }
                    Some((g, n)) => say!(
                        lang,
                        "the page does not show the greeting and the name as they were given ({g}, {n}): escape them, do not change them (& becomes &amp;, < becomes &lt;)",
                        "页面显示的问候语和名字和给出的不一样（{g}, {n}）：要转义它们，而不是改动它们（& 变成 &amp;，< 变成 &lt;）"
                    ),
                }
            }
            Ok((status, body)) => say!(
                lang,
                "GET {path} answered {status} {body:?}",
                "GET {path} 的响应是 {status} {body:?}"
            ),
        };
        verdict = Err(why);
        break;
    }
    let printed = server.stop(String::new());
    verdict.map_err(|why| Failure { why, ..printed })
}
