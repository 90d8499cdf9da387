//! The outputs of roadmap-cli 0.3.1 (the 0.2 contract) that we serve byte for byte: `issue
//! list` and the other read commands, one folder each. Renderers are pure functions over rows
//! of our own ([`issue_list::row`], and for what the list does not need,
//! [`issue_list::records`]); the reading of files into those rows is two functions, the
//! bridge until the cache holds contract rows. [`python`] spells values as Python does.

pub mod issue_list;
pub mod issue_view;
pub mod milestone_list;
pub mod milestone_view;
pub mod planning;
pub mod project_list;
pub mod project_view;
pub mod python;
pub mod status;
pub mod table_data;
