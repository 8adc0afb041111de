//! The checker speaks Chinese where the locale says so (`LC_ALL`, `LC_MESSAGES` or `LANG`
//! starting with `zh`), English otherwise: every message is written in both, side by side, with
//! [`say!`](crate::say).

/// The language of the checker's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The locale's language, as POSIX orders it: `LC_ALL`, then `LC_MESSAGES`, then `LANG`;
    /// the first that is set and not empty decides.
    pub fn from_env() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(std::env::var_os)
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        match locale.to_string_lossy().starts_with("zh") {
            true => Lang::Zh,
            false => Lang::En,
        }
    }
}

/// A message in the checker's language: `say!(lang, "English {x}", "中文 {x}")`, each a
/// `format!` string that captures the same variables.
#[macro_export]
macro_rules! say {
    ($lang:expr, $en:literal, $zh:literal $(,)?) => {
        match $lang {
            $crate::lang::Lang::Zh => format!($zh),
            $crate::lang::Lang::En => format!($en),
        }
    };
}

/// `n` and its noun, singular or plural in English (`1 process`, `2 processes`); Chinese has
/// one form (`1 个进程`).
pub fn count(lang: Lang, n: usize, one: &str, many: &str, zh: &str) -> String {
    match (lang, n) {
        (Lang::Zh, _) => format!("{n} {zh}"),
        (Lang::En, 1) => format!("1 {one}"),
        (Lang::En, _) => format!("{n} {many}"),
    }
}
