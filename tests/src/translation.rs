//! The Chinese edition's translation (`book/po/zh-CN.po`), checked for what gettext cannot see.
//! `.ci/book` checks that it is in step with the English pages (nothing untranslated, fuzzy or
//! stale); this checks what the messages say:
//!
//! - a **string literal** of the code is translated as itself: it is what the program prints, and
//!   the outputs on the page must stay true;
//! - a **comment** of the code is translated (an English comment must come out Chinese), keeps
//!   as many lines as the English, each with the English line's indentation and comment marker,
//!   so that the code around it is unchanged;
//! - no **translated sentence or comment** leaves a run of English words, writes a ratio as a
//!   digit followed by × (Chinese says 倍) or as 快 N 倍 (which a Chinese reader takes as N + 1
//!   times), or uses a word that `book/GLOSSARY.zh-CN.md` lists as not to be used (its third
//!   column). Text in backquotes is code and stays; so do the words of a comment carried from a
//!   Python sample (`# 获取当前线程关联的student:`).

use std::path::Path;

/// Where the Chinese edition's messages are, below the workspace.
pub const PO: &str = "book/po/zh-CN.po";
/// The glossary whose third column lists the words not to use.
pub const GLOSSARY: &str = "book/GLOSSARY.zh-CN.md";

/// One message of a PO file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The English (`msgid`).
    pub id: String,
    /// Its translation (`msgstr`); empty when untranslated.
    pub text: String,
    pub fuzzy: bool,
    /// The line of its `msgid`, for the report.
    pub line: usize,
}

/// What a message is on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A paragraph, heading, list item or table cell.
    Prose,
    /// A comment of a code block (mdbook-xgettext makes one message of consecutive comment lines).
    Comment,
    /// A string or character literal of a code block.
    Literal,
}

/// What a message is, from its English: mdbook-xgettext takes only comments and literals out of
/// a code block, so a message that starts as one and ends as one is one.
pub fn kind(id: &str) -> Kind {
    let trimmed = id.trim_end();
    if id.starts_with("//") || id.starts_with("/*") {
        return Kind::Comment;
    }
    let opens = id
        .trim_start_matches(['b', 'r', 'c'])
        .trim_start_matches('#');
    let quoted = |q: char| opens.starts_with(q) && trimmed.trim_end_matches('#').ends_with(q);
    if opens.len() > 1 && (quoted('"') || quoted('\'')) {
        Kind::Literal
    } else {
        Kind::Prose
    }
}

/// The messages of a PO file (not its header, nor its obsolete `#~` entries).
pub fn parse(po: &str) -> Result<Vec<Message>, String> {
    let mut messages = Vec::new();
    let mut fuzzy = false;
    // The message being read, and which of its two strings a `"…"` line continues.
    let mut current: Option<Message> = None;
    let mut in_text = false;
    for (at, line) in po.lines().enumerate() {
        let string =
            |s: &str| unquote(s).ok_or_else(|| format!("{PO}:{}: not a PO string: {s}", at + 1));
        if let Some(rest) = line.strip_prefix("msgid ") {
            messages.extend(current.take());
            current = Some(Message {
                id: string(rest)?,
                text: String::new(),
                fuzzy: std::mem::take(&mut fuzzy),
                line: at + 1,
            });
            in_text = false;
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            let message = current
                .as_mut()
                .ok_or(format!("{PO}:{}: msgstr without msgid", at + 1))?;
            message.text = string(rest)?;
            in_text = true;
        } else if line.starts_with('"') {
            let message = current
                .as_mut()
                .ok_or(format!("{PO}:{}: a string of no message", at + 1))?;
            let part = string(line)?;
            if in_text {
                &mut message.text
            } else {
                &mut message.id
            }
            .push_str(&part);
        } else if line.starts_with("#,") {
            fuzzy = line.contains("fuzzy");
        }
    }
    messages.extend(current);
    messages.retain(|m| !m.id.is_empty());
    Ok(messages)
}

/// A PO string's text: `"a\"b\n"` is `a"b` and a line break.
fn unquote(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            other => other,
        });
    }
    Some(out)
}

/// The words the glossary says not to use: its table's third column, split at `,` and `、`.
pub fn forbidden(glossary: &str) -> Vec<String> {
    glossary
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .skip(1)
        .filter_map(|row| row.trim_matches('|').split('|').nth(2).map(str::to_string))
        .flat_map(|cell| {
            cell.split([',', '、'])
                .map(|w| w.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// `text` without what is code or an address: spans in backquotes, link targets, autolinks.
fn outside_code(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
            out.push(' ');
        }
    }
    let mut prose = String::new();
    let mut rest = out.as_str();
    while let Some(at) = rest.find("](").or_else(|| rest.find("<http")) {
        prose.push_str(&rest[..at]);
        let close = if rest[at..].starts_with("](") {
            ')'
        } else {
            '>'
        };
        rest = rest[at..]
            .find(close)
            .map_or("", |end| &rest[at + end + 1..]);
        prose.push(' ');
    }
    prose.push_str(rest);
    prose
}

/// The longest run of English words (letters and `'`, one space apart) in `text`.
fn english_run(text: &str) -> Vec<&str> {
    let mut best = Vec::new();
    for segment in text.split(|c: char| !(c.is_ascii_alphabetic() || c == '\'' || c == ' ')) {
        let mut run = Vec::new();
        for word in segment.split(' ') {
            if word.chars().any(|c| c.is_ascii_alphabetic()) {
                run.push(word);
                if run.len() > best.len() {
                    best = run.clone();
                }
            } else {
                run.clear();
            }
        }
    }
    best
}

/// Each line's indentation and comment marker (`//`, `///`, `//!`), with the space after it.
fn comment_prefixes(text: &str) -> Vec<&str> {
    text.trim_end_matches('\n')
        .split('\n')
        .map(|line| {
            let code = line.trim_start();
            let marker = code.len() - code.trim_start_matches(['/', '!', '*']).len();
            let spaced = usize::from(code[marker..].starts_with(' '));
            &line[..line.len() - code.len() + marker + spaced]
        })
        .collect()
}

/// `text` without the words carried from a Python sample: the tokens of `id` (split at
/// whitespace) that hold a Chinese character, without their trailing ASCII punctuation.
fn without_carried(id: &str, text: &str) -> String {
    let mut text = text.to_string();
    for token in id.split_whitespace().filter(|t| t.chars().any(is_cjk)) {
        let token = token.trim_end_matches(|c: char| c.is_ascii_punctuation());
        if !token.is_empty() {
            text = text.replace(token, " ");
        }
    }
    text
}

/// Where a ratio is written the way the glossary refuses: a digit then ×, or 快 N 倍.
fn bad_ratio(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '×' && i > 0 && chars[i - 1].is_ascii_digit() {
            let number = chars[..i]
                .iter()
                .rev()
                .take_while(|d| d.is_ascii_digit() || **d == '.')
                .count();
            return Some(chars[i - number..=i].iter().collect());
        }
        if c == '快' {
            let rest: String = chars[i + 1..].iter().take(12).collect();
            let number = rest.trim_start();
            let digits = number.len()
                - number
                    .trim_start_matches(|d: char| d.is_ascii_digit() || d == '.')
                    .len();
            if digits > 0 && number[digits..].trim_start().starts_with('倍') {
                return Some(format!(
                    "快{}",
                    &rest[..rest.find('倍').unwrap_or(0) + '倍'.len_utf8()]
                ));
            }
        }
    }
    None
}

/// What is wrong with the messages of `po` (the text of a PO file), one line each, given the
/// `glossary`'s words not to use.
pub fn problems(po: &str, glossary: &str) -> Result<Vec<String>, String> {
    let forbidden = forbidden(glossary);
    let mut problems = Vec::new();
    for m in parse(po)? {
        let at = format!("{PO}:{}", m.line);
        let first_line = m.id.lines().next().unwrap_or_default();
        let mut say = |what: String| problems.push(format!("{at}: {what}: {first_line}"));
        if m.text.is_empty() {
            say("untranslated".into());
            continue;
        }
        if m.fuzzy {
            say("fuzzy".into());
        }
        let kind = kind(&m.id);
        match kind {
            Kind::Literal => {
                if m.text != m.id {
                    say("a string literal translated: it must stay as the English has it".into());
                }
                continue;
            }
            Kind::Comment => {
                let (id, text) = (comment_prefixes(&m.id), comment_prefixes(&m.text));
                if id != text {
                    say(format!(
                        "a comment's lines must keep the English lines' indentation and markers \
                         ({} lines {id:?}, translated as {} lines {text:?})",
                        id.len(),
                        text.len()
                    ));
                }
                let english = english_run(&outside_code(&m.id)).len() >= 3;
                if english && (m.text == m.id || !m.text.chars().any(is_cjk)) {
                    say("an English comment left untranslated".into());
                }
            }
            Kind::Prose => {}
        }
        let text = outside_code(&without_carried(&m.id, &m.text));
        let run = english_run(&text);
        if run.len() >= 4 {
            say(format!(
                "English left in the translation (\"{}\")",
                run.join(" ")
            ));
        }
        if let Some(ratio) = bad_ratio(&text) {
            say(format!(
                "a ratio written \"{ratio}\": write N 倍 (速度是……的 N 倍)"
            ));
        }
        for word in &forbidden {
            if text.contains(word.as_str()) {
                say(format!("\"{word}\", which {GLOSSARY} says not to use"));
            }
        }
    }
    Ok(problems)
}

/// [`problems`] of the workspace below `root`.
pub fn check(root: &Path) -> Result<Vec<String>, String> {
    let read = |path: &str| {
        std::fs::read_to_string(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
    };
    problems(&read(PO)?, &read(GLOSSARY)?)
}
