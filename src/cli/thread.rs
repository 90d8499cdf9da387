//! The conversation and the story of one issue for `roadmap show`: its comments (both lines
//! keep them in the file; the 0.2 contract numbers them and links replies with `in_reply_to`)
//! and, on the 0.2 contract, the `history` of lifecycle events the tracker appends.

use super::render::escape_control;
use serde_json::Value;

/// The `comments` and `history` sections of `show`, read from the issue's JSON object; empty
/// when it has neither.
#[must_use]
pub fn sections(issue: &serde_json::Map<String, Value>) -> String {
    let mut out = String::new();
    let comments = issue.get("comments").and_then(Value::as_array);
    if let Some(comments) = comments.filter(|c| !c.is_empty()) {
        out.push_str(&format!("\ncomments ({}):\n", comments.len()));
        for comment in comments {
            out.push_str(&comment_lines(comment));
        }
    }
    let history = issue
        .get("extra")
        .and_then(|extra| extra.get("history"))
        .and_then(Value::as_array);
    if let Some(history) = history.filter(|h| !h.is_empty()) {
        out.push_str("\nhistory:\n");
        for event in history {
            out.push_str(&event_line(event));
        }
    }
    out
}

/// `#2 ada 2026-12-06T22:24:01+00:00 (reply to #1)`, then the body indented by four spaces.
fn comment_lines(comment: &Value) -> String {
    let field = |key: &str| text(comment.get(key));
    let id = field("id").map_or_else(|| "-".to_owned(), |id| format!("#{id}"));
    let mut head = format!(
        "  {id} {} {}",
        field("author").unwrap_or_else(|| "-".to_owned()),
        field("created_at").unwrap_or_else(|| "-".to_owned())
    );
    if let Some(parent) = field("in_reply_to") {
        head.push_str(&format!(" (reply to #{parent})"));
    }
    let mut out = format!("{}\n", escape_control(&head));
    for line in field("body").unwrap_or_default().lines() {
        out.push_str(&format!("    {}\n", escape_control(line)));
    }
    out
}

/// `2026-12-06T22:24:06+00:00 started: the reason`.
fn event_line(event: &Value) -> String {
    let field = |key: &str| text(event.get(key));
    let mut line = format!(
        "  {} {}",
        field("at").unwrap_or_else(|| "-".to_owned()),
        field("action").unwrap_or_else(|| "-".to_owned())
    );
    if let Some(reason) = field("reason").filter(|r| !r.is_empty()) {
        line.push_str(&format!(": {reason}"));
    }
    format!("{}\n", escape_control(&line))
}

/// A scalar as text (numbers too: a comment id is an integer on the 0.2 contract); `None` for
/// null, absent, lists and maps.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_name_their_parent_and_bodies_are_indented() {
        let issue: serde_json::Map<String, Value> = serde_json::from_str(
            r#"{"comments":[{"id":1,"author":"ada","created_at":"t1","body":"two\nlines","in_reply_to":null},
                            {"id":2,"author":"bob","created_at":"t2","body":"yes","in_reply_to":1}],
                "extra":{"history":[{"action":"created","at":"t0","reason":null},
                                    {"action":"closed","at":"t3","reason":"done"}]}}"#,
        )
        .unwrap();
        assert_eq!(
            sections(&issue),
            "\ncomments (2):\n  #1 ada t1\n    two\n    lines\n  #2 bob t2 (reply to #1)\n    yes\n\
             \nhistory:\n  t0 created\n  t3 closed: done\n"
        );
        assert_eq!(sections(&serde_json::Map::new()), "");
    }
}
