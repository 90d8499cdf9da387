//! The outputs of roadmap-cli 0.3.1 (the 0.2 contract) that we serve byte for byte: `issue
//! list` and the other read commands, one folder each. Renderers are pure functions over rows
//! of our own ([`issue_list::row`]): `issue list` reads them from the cache
//! ([`issue_list::sources`]; whether 0.3.1 reads a file as we do is decided once, when the sync
//! reads it, [`issue_list::strict`]); the other commands still read the working tree's files
//! ([`issue_list::records`] and its siblings), the bridge until the cache holds what they need.
//! [`python`] spells values as Python does.

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
pub mod terminal;
pub mod today;
