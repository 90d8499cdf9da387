mod common;
mod test_install;
