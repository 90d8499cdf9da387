//! A repository mirrored to the fake GitHub of `github_server`, and what the remote-sync tests
//! ask of it: run `roadmap sync`, read the local issues, the files and the baselines.

use super::github_server::{GitHubServer, REPO, TOKEN};
use super::{Run, TestRepo, binary, hermetic};
use roadmap_hooks::cache::remote::RemoteState;
use serde_json::{Value, json};
use std::process::Command;

/// A repository whose `.roadmap/sync.yaml` points at a fresh local GitHub.
pub struct Mirrored {
    pub repo: TestRepo,
    pub github: GitHubServer,
}

impl Mirrored {
    pub fn new() -> Self {
        Self::on(TestRepo::new())
    }

    /// `repo` (a contract workspace, say) mirrored to a fresh local GitHub.
    pub fn on(repo: TestRepo) -> Self {
        let github = GitHubServer::start();
        repo.write(
            ".roadmap/sync.yaml",
            &format!("kind: github\nrepo: {REPO}\napi_url: {}\n", github.url),
        );
        repo.commit_all("configure sync");
        repo.roadmap_hooks(&["sync"]).success();
        confirm_repo(&repo);
        Mirrored { repo, github }
    }

    /// Runs `roadmap sync ARGS` with the right token (the fake is not github.com, so the
    /// enterprise variable, as gh reads it), the user's setting naming the fake, and the fast
    /// clock (no test really waits for a rate limit or the pacing of writes).
    pub fn sync(&self, args: &[&str]) -> Run {
        self.sync_with(args, &[("GH_ENTERPRISE_TOKEN", TOKEN)])
    }

    pub fn sync_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(binary("roadmap"));
        command.arg("sync").args(args);
        self.sync_environment(&mut command, env);
        let output = command.output().expect("run roadmap sync");
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// [`Mirrored::sync`] run in `dir` (a linked worktree, say).
    pub fn sync_in(&self, dir: &std::path::Path, args: &[&str]) -> Run {
        let mut command = Command::new(binary("roadmap"));
        command.arg("sync").args(args);
        self.sync_environment(&mut command, &[("GH_ENTERPRISE_TOKEN", TOKEN)]);
        let output = command.current_dir(dir).output().expect("run roadmap sync");
        Run::from_output(output)
    }

    /// The folder, token, settings and clock of [`Mirrored::sync`] on `command` (which may be
    /// `script` running `roadmap sync` on a terminal), then `env`.
    pub fn sync_environment(&self, command: &mut Command, env: &[(&str, &str)]) {
        hermetic(command)
            .current_dir(&self.repo.root)
            .stdin(std::process::Stdio::null())
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .env_remove("GH_ENTERPRISE_TOKEN")
            .env_remove("GITHUB_ENTERPRISE_TOKEN")
            .env_remove("ROADMAP_SYNC_TEST_CRASH")
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY")
            .env("NO_PROXY", "127.0.0.1")
            .env("ROADMAP_GITHUB_API_URL", &self.github.url)
            .env("ROADMAP_SYNC_TEST_CLOCK", "fast");
        for (name, value) in env {
            command.env(name, value);
        }
    }

    /// Every issue the cache lists, by id.
    pub fn local(&self) -> Vec<Value> {
        self.repo.listed(&[]).as_array().unwrap().clone()
    }

    /// The listed issue linked to GitHub issue `number`.
    #[track_caller]
    pub fn local_of(&self, number: u64) -> Value {
        self.local()
            .into_iter()
            .find(|i| i["remote_ids"]["github"] == json!(number))
            .unwrap_or_else(|| panic!("no local issue linked to #{number}"))
    }

    /// The working tree's issue files and their content.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files = Vec::new();
        let mut stack = vec![self.repo.root.join(".roadmap")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push((
                        path.display().to_string(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
        files.sort();
        files
    }

    /// The rows of `sync_base_state` for this remote.
    pub fn baselines(&self) -> Vec<(String, String)> {
        let dir = self.repo.root.join(".git/roadmap");
        let mut rows = RemoteState::open(&dir)
            .unwrap()
            .base_states(&format!("github:{REPO}"))
            .unwrap();
        rows.sort();
        rows
    }

    /// Commits what a sync wrote, as the user would.
    pub fn commit(&self, message: &str) {
        self.repo.commit_all(message);
    }
}

/// Confirms in `repo`'s git config that this clone syncs with the fake's repository, as
/// `roadmap sync --repo` or the prompt would.
pub fn confirm_repo(repo: &TestRepo) {
    repo.git(&["config", "roadmap.sync.repo", REPO]);
}

/// The baseline row of `id` among `rows`.
pub fn base_of(rows: &[(String, String)], id: &str) -> Option<Value> {
    rows.iter()
        .find(|(row, _)| row == id)
        .map(|(_, json)| serde_json::from_str(json).unwrap())
}

/// A repository and GitHub with one linked issue each, synced and committed.
pub fn linked_pair() -> (Mirrored, u64, String) {
    let m = Mirrored::new();
    let number = m
        .github
        .state()
        .add_issue("Login fails", "Steps to reproduce", &["web"]);
    m.sync(&[]).success();
    m.commit("first sync");
    let id = m.local_of(number)["id"].as_str().unwrap().to_owned();
    (m, number, id)
}

impl Mirrored {
    /// The path of the local file linked to GitHub issue `number`.
    #[track_caller]
    pub fn path_of(&self, number: u64) -> String {
        self.local_of(number)["path"].as_str().unwrap().to_owned()
    }

    /// `roadmap sync ARGS --format json`, whatever its exit code, parsed.
    pub fn sync_json(&self, args: &[&str]) -> (Run, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let run = self.sync(&all);
        let value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
        (run, value)
    }

    /// The state (`open`/`closed`) of GitHub issue `number`.
    pub fn state_of(&self, number: u64) -> String {
        self.github.issue(number)["state"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}
