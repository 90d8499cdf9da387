//! Turns whatever a user types into `roadmap search` into an FTS5 query that cannot fail.
//!
//! The index is `detail = none` (small), so FTS5 refuses phrases: a quoted string that its
//! tokenizer splits into two tokens (`"don't"`, `"v1.2-beta"`) is an error, and bare text is
//! query syntax (`AND`, `NEAR`, `*`, `^`, `:`, parentheses). So the text is split by SQLite's own
//! tokenizer, the very one the index uses (Rust's idea of a letter differs from SQLite's in
//! thousands of code points, combining marks of Indic scripts among them), and each token is
//! quoted alone: every token must appear, the last one as a prefix while a word is being typed.

use super::{Cache, CacheError, query::ListQuery};

/// The tokenizer of the `issue_text` index (`schema.sql`); the query is split with the same.
pub(super) const TOKENIZER: &str = "unicode61 remove_diacritics 2";

impl Cache {
    /// The FTS5 expression for `query.text`: `Ok(Some(None))` without text, `Ok(None)` when the
    /// text holds no token at all (only punctuation), so nothing can match.
    pub(super) fn text_match(
        &self,
        query: &ListQuery,
    ) -> Result<Option<Option<String>>, CacheError> {
        let Some(text) = &query.text else {
            return Ok(Some(None));
        };
        let tokens = self.tokens(text)?;
        let Some((last, rest)) = tokens.split_last() else {
            return Ok(None);
        };
        let still_typing = text
            .trim_end()
            .chars()
            .last()
            .is_some_and(char::is_alphanumeric);
        let mut terms: Vec<String> = rest.iter().map(|t| quoted(t)).collect();
        terms.push(format!(
            "{}{}",
            quoted(last),
            if still_typing { "*" } else { "" }
        ));
        Ok(Some(Some(terms.join(" "))))
    }

    /// Splits `text` into the tokens the index holds (folded to lower case, diacritics removed),
    /// in order, by indexing it in a throwaway in-memory table.
    fn tokens(&self, text: &str) -> Result<Vec<String>, CacheError> {
        let conn = self.connection();
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words
                 USING fts5(words, tokenize = '{TOKENIZER}');
             CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words_vocab
                 USING fts5vocab(temp, search_words, instance);
             DELETE FROM temp.search_words;"
        ))?;
        conn.execute(
            "INSERT INTO temp.search_words (rowid, words) VALUES (1, ?1)",
            [text],
        )?;
        let mut statement = conn.prepare(
            "SELECT term FROM temp.search_words_vocab WHERE doc = 1 ORDER BY \"offset\"",
        )?;
        let tokens = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        conn.execute("DELETE FROM temp.search_words", [])?;
        Ok(tokens)
    }
}

/// One token as an FTS5 string: never an operator, never more than one token.
fn quoted(token: &str) -> String {
    format!("\"{}\"", token.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::TOKENIZER;

    #[test]
    fn the_query_is_split_by_the_tokenizer_of_the_index() {
        let schema = include_str!("schema.sql");
        assert!(
            schema.contains(&format!("tokenize = '{TOKENIZER}'")),
            "schema.sql and search.rs must name the same tokenizer"
        );
    }
}
