mod common;
mod test_git_operations;
