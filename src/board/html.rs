//! HTML building blocks of the board's pages: escaping, the page frame with its embedded
//! assets, cards. Every piece of user text goes through [`escape`] (or [`markdown`] for bodies);
//! nothing here touches the cache.

use super::http::{encode, encode_segment};
use crate::cache::query::IssueRow;
use std::fmt::Write as _;

/// The board's stylesheet, embedded so the board works offline and with no build step.
pub const CSS: &str = include_str!("assets/board.css");
/// The live update: a few lines of vanilla JS, embedded.
pub const JS: &str = include_str!("assets/board.js");

/// Escapes text for an HTML text node or a quoted attribute value.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders Markdown to HTML. Raw HTML in the text (blocks and inline tags) is shown as text,
/// never passed through, and links to `javascript:` and other schemes than web and mail ones
/// lose their target.
#[must_use]
pub fn markdown(text: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let safe_url = |url: &CowStr<'_>| {
        let lower = url.trim_start().to_ascii_lowercase();
        let scheme = lower.split_once(':').map(|(scheme, _)| scheme);
        match scheme {
            None => true,
            Some(scheme) if scheme.contains(['/', '?', '#']) => true,
            Some(scheme) => matches!(scheme, "http" | "https" | "mailto"),
        }
    };
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            title,
            id,
            ..
        }) => Event::Start(Tag::Image {
            link_type,
            // The board loads nothing from elsewhere (it works offline, and an image would
            // tell a server who reads the issue): the alternative text stays.
            dest_url: CowStr::Borrowed(""),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// A whole page: the frame, a title, the header's links and `main`. `generation` is the live
/// state the page shows (see `live`): a page whose event stream starts later than that
/// refetches at once, so a change between the two is never missed.
#[must_use]
pub fn page(title: &str, main: &str, generation: u64) -> String {
    format!("{}{main}{PAGE_END}", page_start(title, generation))
}

/// A page up to its `<main>`: what the board sends before it has read anything, so the
/// browser fetches the stylesheet and the script while the columns are read.
#[must_use]
pub fn page_start(title: &str, generation: u64) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"board-generation\" content=\"{generation}\">\
         <title>{title} · roadmap</title>\
         <link rel=\"stylesheet\" href=\"/assets/board.css\">\
         <script src=\"/assets/board.js\" defer></script></head>\
         <body><header><a class=\"home\" href=\"/\">roadmap board</a>\
         <a href=\"/milestones\">milestones</a>\
         <span id=\"live\" class=\"live off\" title=\"follows commits, checkouts and merges\">live</span></header>\
         <main>",
        title = escape(title)
    )
}

/// The end of a page, after its `main`.
pub const PAGE_END: &str = "</main></body></html>\n";

/// An error page's `main`: the status and a line saying what was wrong.
#[must_use]
pub fn error_main(status: u16, message: &str) -> String {
    format!(
        "<section class=\"error\"><h1>{status}</h1><p class=\"message\">{}</p>\
         <p><a href=\"/\">back to the board</a></p></section>",
        escape(message)
    )
}

/// A link to the issue page of `id`.
#[must_use]
pub fn issue_href(id: &str) -> String {
    format!("/issue/{}", encode_segment(id))
}

/// A link to the milestone page of `name`.
#[must_use]
pub fn milestone_href(name: &str) -> String {
    format!("/milestone/{}", encode_segment(name))
}

/// A query string (`?a=b&c=d`, or nothing) from pairs, each encoded.
#[must_use]
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let joined: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", encode(value)))
        .collect();
    if joined.is_empty() {
        String::new()
    } else {
        format!("?{}", joined.join("&"))
    }
}

/// One issue as a card; `uncommitted` marks a file `roadmap` wrote that no commit holds yet.
#[must_use]
pub fn card(row: &IssueRow, uncommitted: bool) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<li class=\"card priority-{priority}{pending}\" data-id=\"{id}\">\
         <a class=\"title\" href=\"{href}\">{title}</a><div class=\"meta\">\
         <span class=\"id\">{short}</span><span class=\"priority\">{priority_text}</span>",
        priority = css_word(&row.priority),
        pending = if uncommitted { " uncommitted" } else { "" },
        id = escape(&row.id),
        href = escape(&issue_href(&row.id)),
        title = escape(&row.title),
        short = escape(short_id(&row.id)),
        priority_text = escape(&row.priority),
    );
    if row.issue_type != "other" {
        let _ = write!(
            html,
            "<span class=\"type\">{}</span>",
            escape(&row.issue_type)
        );
    }
    if let Some(assignee) = &row.assignee {
        let _ = write!(
            html,
            "<span class=\"assignee\">@{}</span>",
            escape(assignee)
        );
    }
    if let Some(milestone) = &row.milestone {
        let _ = write!(
            html,
            "<a class=\"milestone\" href=\"{}\">{}</a>",
            escape(&milestone_href(milestone)),
            escape(milestone)
        );
    }
    for label in &row.labels {
        let _ = write!(html, "<span class=\"label\">{}</span>", escape(label));
    }
    if uncommitted {
        html.push_str("<span class=\"pending\" title=\"written by roadmap, not committed yet\">uncommitted</span>");
    }
    html.push_str("</div></li>");
    html
}

/// The first 8 characters of an id (a uuid's first group), as lists show them.
#[must_use]
pub fn short_id(id: &str) -> &str {
    id.char_indices().nth(8).map_or(id, |(end, _)| &id[..end])
}

/// A value reduced to the letters, digits and dashes a CSS class may hold.
#[must_use]
pub fn css_word(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(
            escape("<script>alert(\"1\")</script> & 'x'"),
            "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; &#39;x&#39;"
        );
    }

    #[test]
    fn markdown_renders_but_raw_html_stays_text() {
        let html = markdown("# Steps\n\n*one* <b>bold</b>\n\n<script>alert(1)</script>\n");
        assert!(html.contains("<h1>Steps</h1>"), "{html}");
        assert!(html.contains("<em>one</em>"), "{html}");
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn markdown_links_keep_only_safe_targets() {
        let html = markdown("[a](javascript:alert(1)) [b](https://x.example/) [c](other/page)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://x.example/\""), "{html}");
        assert!(html.contains("href=\"other/page\""), "{html}");
    }
}
