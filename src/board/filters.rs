//! The board's filters as the URL carries them (`/?milestone=v1&assignee=alice&label=web&q=login`),
//! so a view can be shared: read from the query pairs, checked as `roadmap list` checks its
//! flags (the same [`ListArgs::to_query`]), and written back into links.

use crate::cache::query::ListQuery;
use crate::cli::list_args::ListArgs;

/// Cards a column shows unless `per` says otherwise, and the most it may ask for.
pub const DEFAULT_PER_COLUMN: usize = 50;
pub const MAX_PER_COLUMN: usize = 1_000;

/// The filters of a board view. Empty values (a form's "any") are no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardFilters {
    pub statuses: Vec<String>,
    pub priorities: Vec<String>,
    pub types: Vec<String>,
    pub assignee: Option<String>,
    pub milestone: Option<String>,
    pub labels: Vec<String>,
    pub text: Option<String>,
    /// Cards per column.
    pub per: usize,
}

impl BoardFilters {
    /// Reads the query pairs of a board URL; an unknown parameter or a bad `per` is an error
    /// naming it (the values themselves are checked by [`BoardFilters::to_query`]).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, String> {
        let mut filters = BoardFilters {
            per: DEFAULT_PER_COLUMN,
            ..BoardFilters::default()
        };
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let many = || value.split(',').map(|v| v.trim().to_owned());
            match key.as_str() {
                "status" => filters.statuses.extend(many()),
                "priority" => filters.priorities.extend(many()),
                "type" => filters.types.extend(many()),
                "label" => filters.labels.push(value.to_owned()),
                "assignee" => filters.assignee = Some(value.to_owned()),
                "milestone" => filters.milestone = Some(value.to_owned()),
                "q" => filters.text = Some(value.to_owned()),
                "per" => {
                    filters.per = value
                        .parse()
                        .ok()
                        .filter(|per| (1..=MAX_PER_COLUMN).contains(per))
                        .ok_or_else(|| {
                            format!("parameter `per`: `{value}` is not a number from 1 to {MAX_PER_COLUMN}")
                        })?;
                }
                other => {
                    return Err(format!(
                        "unknown parameter `{other}` (allowed: status, priority, type, assignee, milestone, label, q, per)"
                    ));
                }
            }
        }
        Ok(filters)
    }

    /// The list query of these filters (every status, archived issues left out), checked as
    /// `roadmap list` checks its flags; `status_in_cache` says whether some file spells a
    /// status exactly so. The error is the message `list` would print.
    pub fn to_query(&self, status_in_cache: impl Fn(&str) -> bool) -> Result<ListQuery, String> {
        let args = ListArgs {
            status: self.statuses.clone(),
            priority: self.priorities.clone(),
            issue_type: self.types.clone(),
            assignee: self.assignee.clone(),
            milestone: self.milestone.clone(),
            label: self.labels.clone(),
            ..ListArgs::default()
        };
        let mut query = args.to_query(status_in_cache).map_err(|e| e.message)?;
        query.text = self.text.clone();
        Ok(query)
    }

    /// The filters as query pairs, in a fixed order (for links that keep the view).
    #[must_use]
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let joined = |values: &[String]| values.join(",");
        if !self.statuses.is_empty() {
            pairs.push(("status", joined(&self.statuses)));
        }
        if !self.priorities.is_empty() {
            pairs.push(("priority", joined(&self.priorities)));
        }
        if !self.types.is_empty() {
            pairs.push(("type", joined(&self.types)));
        }
        if let Some(assignee) = &self.assignee {
            pairs.push(("assignee", assignee.clone()));
        }
        if let Some(milestone) = &self.milestone {
            pairs.push(("milestone", milestone.clone()));
        }
        pairs.extend(self.labels.iter().map(|label| ("label", label.clone())));
        if let Some(text) = &self.text {
            pairs.push(("q", text.clone()));
        }
        if self.per != DEFAULT_PER_COLUMN {
            pairs.push(("per", self.per.to_string()));
        }
        pairs
    }

    /// Whether any filter beyond the page size is set.
    #[must_use]
    pub fn any(&self) -> bool {
        self.pairs().iter().any(|(key, _)| *key != "per")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let filters =
            BoardFilters::from_pairs(&pairs("status=todo,blocked&label=a&label=b c&q=x&per=10"))
                .unwrap();
        assert_eq!(filters.statuses, ["todo", "blocked"]);
        assert_eq!(filters.labels, ["a", "b c"]);
        let again: Vec<(String, String)> = filters
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(BoardFilters::from_pairs(&again).unwrap(), filters);
    }

    #[test]
    fn unknown_parameters_and_bad_values_are_named() {
        let error = BoardFilters::from_pairs(&pairs("colour=red")).unwrap_err();
        assert!(error.contains("`colour`"), "{error}");
        let error = BoardFilters::from_pairs(&pairs("per=0")).unwrap_err();
        assert!(error.contains("`per`"), "{error}");
        let filters = BoardFilters::from_pairs(&pairs("priority=urgent")).unwrap();
        let error = filters.to_query(|_| false).unwrap_err();
        assert!(error.contains("`urgent`"), "{error}");
    }
}
