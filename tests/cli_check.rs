//! `newsroom check` through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn newsroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(["--config", root().join("feeds.toml").to_str().unwrap()])
        .args(args)
        .output()
        .expect("newsroom runs")
}

fn fixture_dir(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bundled_issues_all_parse() {
    let output = newsroom(&["check"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.contains("#344\t2017-07-30\t7 sections\t21 entries\t23 links"),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}

#[test]
fn text_output_has_one_line_per_issue_and_a_summary() {
    let dir = fixture_dir("issues");
    let output = newsroom(&["check", "--issues", dir.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert!(
        lines
            .iter()
            .any(|line| line.contains("#75\t2012-06-10\t3 sections\t4 entries\t5 links"))
    );
    assert!(lines.iter().any(|line| line.ends_with("draft")));
    assert_eq!(
        *lines.last().unwrap(),
        "5 issue files checked: 5 ok, 0 failed"
    );
}

#[test]
fn json_output_has_the_documented_keys() {
    let output = newsroom(&["check", "--json"]);
    assert!(output.status.success());
    let line = text(&output.stdout);
    let seed: serde_json::Value = line
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|value| value["number"] == 344)
        .expect("seed issue listed");
    assert_eq!(seed["title"], "DEVOPS WEEKLY ISSUE #344 - 30th July 2017");
    assert_eq!(seed["date"], "2017-07-30T12:08:24+01:00");
    assert_eq!(seed["draft"], false);
    assert_eq!(seed["entries"], 21);
    assert_eq!(seed["links"], 23);
    assert_eq!(
        seed["sections"][2],
        serde_json::json!({"name": "News", "entries": 12, "links": 13})
    );
    assert!(seed["file"].as_str().unwrap().ends_with("issue-344.md"));
}

#[test]
fn every_failure_is_listed_with_file_and_line() {
    let dir = fixture_dir("bad_issues");
    let output = newsroom(&["check", "--issues", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    for (file, line) in [
        ("2013-01-06-101.md", 13),
        ("2013-01-13-102.md", 1),
        ("2013-01-20-103.md", 8),
        ("2013-01-27-104.md", 10),
        ("missing-date.md", 1),
    ] {
        let expected = format!("{}:{line}: ", dir.join(file).display());
        assert!(
            stderr.contains(&expected),
            "{expected} missing from:\n{stderr}"
        );
    }
    assert!(text(&output.stdout).contains("5 issue files checked: 0 ok, 5 failed"));
}

#[test]
fn json_failures_carry_file_and_error() {
    let dir = fixture_dir("bad_issues");
    let output = newsroom(&["check", "--json", "--issues", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let failures: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(failures.len(), 5);
    for failure in failures {
        assert!(
            failure["file"].is_string() && failure["error"].is_string(),
            "{failure}"
        );
    }
}

#[test]
fn bad_config_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[newsletter]\ntitle = \"x\"\nbase_url = \"https://x.example/\"\ncolour = 1\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(["--config", config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:4:", config.display())),
        "{stderr}"
    );
    assert!(stderr.contains("colour"), "{stderr}");
}

#[test]
fn help_lists_every_command() {
    let output = newsroom(&["--help"]);
    let stdout = text(&output.stdout);
    for command in [
        "build", "check", "poll", "suggest", "review", "draft", "sources", "daemon", "status",
        "migrate",
    ] {
        assert!(
            stdout
                .lines()
                .any(|line| line.trim_start().starts_with(command)),
            "{command} missing from --help:\n{stdout}"
        );
    }
}
