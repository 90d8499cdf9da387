//! roadmap-cli 1.0.2's outputs, as pure functions of the rows they show: `issue list`,
//! `milestone list` and `status` (the commands served on a legacy workspace), and the
//! `TableData` formats they share (with 0.3.1, whose `TableData` is the same).

pub mod issue_list;
pub mod issue_rows;
pub mod milestone_list;
pub mod status;
pub mod table_data;
