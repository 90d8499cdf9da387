//! What each URL of the board answers, read from the cache and handed to the page renderers:
//!
//! | path | page |
//! |---|---|
//! | `/` | the board, filtered by the query (`filters.rs`); sent as a stream by `mod.rs`, its start before its columns ([`board_streamed`]) |
//! | `/issue/ID` | one issue (a unique id prefix is enough) |
//! | `/milestones`, `/milestone/NAME` | the milestones; one milestone's progress |
//! | `/assets/board.css`, `/assets/board.js` | the embedded assets |
//! | `/events` | the live updates (answered in `mod.rs`: it keeps its connection) |
//!
//! Only GET is served (405 otherwise); an unknown path or id is a 404, a bad parameter a 400.
//! Each request opens the cache read-only for its own reads and never syncs or takes the lock.

use super::board_page::{self, BoardView, Column};
use super::detail_pages;
use super::filters::BoardFilters;
use super::html::{self, error_main, page};
use super::http::{Request, Response};
use super::live::Live;
use crate::cache::query::{ListQuery, Scope};
use crate::cache::{Cache, CacheError, meta};
use crate::issue::Status;
use crate::pending::PendingWrites;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// What the routes read from: the cache folder, the work tree (for the event log behind the
/// burndown) and the live state.
pub struct Site {
    pub cache_dir: PathBuf,
    pub work_dir: PathBuf,
    pub live: Live,
}

/// A failed request: its status and the line that says what was wrong.
struct Failure(u16, String);

impl From<CacheError> for Failure {
    fn from(error: CacheError) -> Self {
        match error {
            CacheError::Missing(_) | CacheError::Damaged { .. } | CacheError::Outdated { .. } => {
                Failure(
                    503,
                    format!("the cache is not readable right now ({error}); reload in a moment"),
                )
            }
            other => Failure(500, other.to_string()),
        }
    }
}

/// Answers `request` (any path but `/events`).
#[must_use]
pub fn respond(site: &Site, request: &Request) -> Response {
    if request.method != "GET" {
        let mut response = Response::text(405, "the board serves only GET");
        response.headers.push(("Allow", "GET".to_owned()));
        return response;
    }
    let segments: Vec<&str> = request.segments.iter().map(String::as_str).collect();
    match segments[..] {
        ["assets", "board.css"] => return Response::asset("text/css; charset=utf-8", html::CSS),
        ["assets", "board.js"] => {
            return Response::asset("text/javascript; charset=utf-8", html::JS);
        }
        ["assets", ..] => return Response::text(404, "no such asset"),
        ["milestone", name, "burndown.svg"] => return burndown_svg(site, name),
        _ => {}
    }
    // Read before the page's data: a change after it then reaches the page by its events.
    let generation = site.live.generation();
    let answer = match segments[..] {
        [] => board(site, &request.query),
        ["issue", id] => no_parameters(request).and_then(|()| issue(site, id)),
        ["milestones"] => no_parameters(request).and_then(|()| milestones(site)),
        ["milestone", name] => no_parameters(request).and_then(|()| milestone(site, name)),
        _ => Err(Failure(
            404,
            format!("no page at /{}", request.segments.join("/")),
        )),
    };
    let (status, title, main) = match answer {
        Ok((title, main)) => (200, title, main),
        Err(Failure(status, message)) => (status, status.to_string(), error_main(status, &message)),
    };
    if request.fragment {
        Response::html(status, main)
    } else {
        Response::html(status, page(&title, &main, generation))
    }
}

type Page = Result<(String, String), Failure>;

/// The board (`/`) as a stream: `Err` with the whole answer when its parameters are wrong;
/// otherwise the page's start, sent at once, and a function reading the columns for the rest
/// (a failure then shows in the page, its status already sent).
pub fn board_streamed(
    site: &Site,
    request: &Request,
) -> Result<(String, impl FnOnce() -> String), Response> {
    let generation = site.live.generation();
    // Parameters are checked first: a bad one is a 400, not a page that says so.
    let checked = BoardFilters::from_pairs(&request.query).is_ok_and(|filters| {
        open(site).is_ok_and(|cache| {
            filters
                .to_query(|status| cache.has_status(status).unwrap_or(false))
                .is_ok()
        })
    });
    if !checked {
        return Err(respond(site, request));
    }
    let start = html::page_start("board", generation);
    let rest = move || {
        let main = match board(site, &request.query) {
            Ok((_, main)) => main,
            Err(Failure(status, message)) => error_main(status, &message),
        };
        format!("{main}{}", html::PAGE_END)
    };
    Ok((start, rest))
}

fn no_parameters(request: &Request) -> Result<(), Failure> {
    match request.query.first() {
        Some((key, _)) => Err(Failure(
            400,
            format!("unknown parameter `{key}` (this page takes none)"),
        )),
        None => Ok(()),
    }
}

fn open(site: &Site) -> Result<Cache, Failure> {
    Ok(Cache::open_reader(&site.cache_dir)?)
}

/// The paths of the files `roadmap` wrote that no commit holds yet (see `crate::pending`).
fn uncommitted_paths(cache_dir: &Path) -> HashSet<String> {
    PendingWrites::load(cache_dir)
        .entries()
        .iter()
        .filter(|write| !write.is_removal())
        .map(|write| write.path.clone())
        .collect()
}

fn board(site: &Site, pairs: &[(String, String)]) -> Page {
    let filters = BoardFilters::from_pairs(pairs).map_err(|message| Failure(400, message))?;
    let cache = open(site)?;
    let mut query = filters
        .to_query(|status| cache.has_status(status).unwrap_or(false))
        .map_err(|message| Failure(400, message))?;
    cache.resolve_milestone_filter(&mut query)?;
    let index_building = query.text.is_some() && !text_index_ready(site, &cache)?;
    let counts = column_counts(&cache, &query)?;
    let uncommitted = uncommitted_paths(&site.cache_dir);
    let mut columns = Vec::new();
    for (status, count) in counts {
        let column_query = ListQuery {
            statuses: vec![status.clone()],
            limit: Some(filters.per),
            ..query.clone()
        };
        let cards = if count == 0 {
            Vec::new()
        } else {
            cache
                .list(&column_query)?
                .into_iter()
                .map(|row| {
                    let pending = uncommitted.contains(&row.path);
                    (row, pending)
                })
                .collect()
        };
        columns.push(Column {
            status,
            count,
            cards,
        });
    }
    let shown_pending = columns
        .iter()
        .flat_map(|c| &c.cards)
        .filter(|(_, pending)| *pending)
        .count();
    let view = BoardView {
        filters,
        columns,
        milestones: cache.milestones()?,
        uncommitted: shown_pending,
        unreadable: cache.invalid_files()?.len(),
        index_building,
    };
    Ok(("board".to_owned(), board_page::render(&view)))
}

/// Whether the search index is complete; if not, asks the watcher to build it.
fn text_index_ready(site: &Site, cache: &Cache) -> Result<bool, Failure> {
    let ready = cache.metadata(meta::TEXT_INDEX)?.is_some();
    if !ready {
        site.live.text_wanted.store(true, Ordering::Relaxed);
    }
    Ok(ready && !site.live.index_building.load(Ordering::Relaxed))
}

/// The board's columns and their counts: the statuses the filters ask for, or else every
/// status but archived (the tracker's own, even when empty, and any other some file holds),
/// in the board's order. Archived issues are never on the board.
fn column_counts(cache: &Cache, query: &ListQuery) -> Result<Vec<(String, usize)>, Failure> {
    let mut counts: Vec<(String, usize)> = if query.statuses.is_empty() {
        // Every scope: `count_by_status` leaves archived issues out, closed ones stay in.
        let every = ListQuery {
            scope: Scope::All,
            ..query.clone()
        };
        let mut all: Vec<(String, usize)> = Status::KNOWN
            .iter()
            .filter(|s| **s != "archived")
            .map(|s| ((*s).to_owned(), 0))
            .collect();
        for count in cache.count_by_status(&every)? {
            match all.iter_mut().find(|(status, _)| *status == count.status) {
                Some((_, issues)) => *issues = count.issues,
                None => all.push((count.status, count.issues)),
            }
        }
        all
    } else {
        let counted = cache.count_by_status(query)?;
        query
            .statuses
            .iter()
            .map(|status| {
                let issues = counted
                    .iter()
                    .filter(|c| c.status == *status)
                    .map(|c| c.issues)
                    .sum();
                (status.clone(), issues)
            })
            .collect()
    };
    // The board's reading order: todo to closed as the tracker lists them, others after.
    counts.sort_by_key(|(status, _)| {
        Status::KNOWN
            .iter()
            .position(|known| known == status)
            .unwrap_or(Status::KNOWN.len())
    });
    counts.dedup_by(|a, b| a.0 == b.0);
    Ok(counts)
}

fn issue(site: &Site, id: &str) -> Page {
    let cache = open(site)?;
    if let Some(detail) = cache.issue_with_id(id)? {
        let uncommitted = uncommitted_paths(&site.cache_dir).contains(&detail.row.path);
        return Ok((
            detail.row.title.clone(),
            detail_pages::issue(&detail, uncommitted),
        ));
    }
    let prefix = id.trim().to_ascii_lowercase();
    let mut found = cache.issues_with_id_prefix(&prefix)?;
    // An exact id wins over the longer ids it is a prefix of.
    if let Some(exact) = found.iter().position(|d| d.row.id.eq_ignore_ascii_case(id)) {
        found = vec![found.swap_remove(exact)];
    }
    let detail = match found.len() {
        0 => return Err(Failure(404, format!("no issue with id `{id}`"))),
        1 => found.remove(0),
        n => {
            return Err(Failure(
                404,
                format!("the id prefix `{id}` is ambiguous: {n} issues start with it"),
            ));
        }
    };
    let uncommitted = uncommitted_paths(&site.cache_dir).contains(&detail.row.path);
    Ok((
        detail.row.title.clone(),
        detail_pages::issue(&detail, uncommitted),
    ))
}

fn milestones(site: &Site) -> Page {
    let cache = open(site)?;
    Ok((
        "milestones".to_owned(),
        detail_pages::milestones(&cache.milestones()?),
    ))
}

/// The burndown of milestone `name` as an SVG image, drawn by `roadmap chart burndown` from the
/// event log (brought to HEAD first: the first image of a long history pays the backfill).
fn burndown_svg(site: &Site, name: &str) -> Response {
    let chart = crate::workspace::Workspace::discover_from(&site.work_dir)
        .map_err(|e| e.to_string())
        .and_then(|workspace| {
            let repo = workspace.repo().map_err(|e| e.to_string())?;
            let (log, _) = crate::history::events::open_at_head(workspace.dirs(), repo, false)
                .map_err(|e| e.to_string())?;
            crate::history::series::burndown(&log, name).map_err(|e| e.to_string())
        });
    match chart {
        Ok(Some(chart)) => Response {
            status: 200,
            content_type: "image/svg+xml",
            headers: Vec::new(),
            body: crate::chart::svg::render(&chart).into_bytes(),
        },
        Ok(None) => Response::text(404, &format!("no issue was ever in milestone `{name}`")),
        Err(error) => Response::text(500, &format!("the burndown could not be drawn: {error}")),
    }
}

fn milestone(site: &Site, name: &str) -> Page {
    let cache = open(site)?;
    let Some(found) = cache.milestone(name)? else {
        return Err(Failure(404, format!("no milestone named `{name}`")));
    };
    let progress = cache.milestone_progress(&found.name)?;
    Ok((
        found.name.clone(),
        detail_pages::milestone(&found, &progress),
    ))
}
