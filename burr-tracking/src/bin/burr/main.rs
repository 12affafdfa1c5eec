//! The `burr` command: the tracking server and web UI, and the pictures of tracked graphs.
//!
//! ```text
//! burr [--host 127.0.0.1] [--port 7241] [--dir ROOT] [--no-open]
//! burr graph PROJECT APP_ID [--format svg|mermaid|dot] [--conditions] [--state] [--no-inputs] [-o FILE]
//! burr test-case PROJECT APP_ID SEQUENCE_ID [-o FILE]
//! ```
//!
//! The root is `--dir`, else the `BURR_PATH` environment variable, else `~/.burr`
//! ([`burr_tracking::layout::resolve_root`], as for the tracking client); a leading `~/` is
//! expanded in both.
//!
//! The server answers only loopback host names and the names given with `--allow-host`
//! (or `BURR_ALLOW_HOSTS`, comma-separated; a name that is neither a host name nor an IP
//! address stops it with code 2); binding another address than a loopback one is
//! allowed, with a warning on standard error.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};

use burr_tracking::layout::{self, NoHomeDir, RootSource};
use burr_tracking::server;
use burr_tracking::server::{AllowedHosts, ServeOptions, Store};
use clap::{Parser, Subcommand};

#[cfg(feature = "object-store")]
mod bucket;
mod graph;
mod test_case;

/// What `burr --help` says about the command.
const ABOUT: &str =
    "Serve the burr tracking UI and its HTTP API over a folder of tracked applications";

/// The longer description of `burr --help`.
const LONG_ABOUT: &str = "\
Serve the burr tracking UI and its HTTP API over a folder of tracked applications.

The web UI shows every project, application, step, span and state that burr's tracking
client wrote; the API answers Apache Burr's read API (/api/v0/...) plus paging and live
updates (/api/v1/...), so a client of Burr's server works against this one.

Where it reads: --dir, else $BURR_PATH, else ~/.burr. An empty folder offers demo projects.

Security defaults: it listens on 127.0.0.1 only; it answers only the host names localhost,
127.0.0.1, [::1], the --host address and the names given with --allow-host (others get 421,
which defeats DNS rebinding); it writes nothing except the demo projects and annotations
(annotations.jsonl in a project folder), and only on a same-origin JSON request; it never
reads outside the folder (symbolic links below it are not followed, only regular files are
read); slow and idle connections are closed and connections are capped. Listening on another address than a loopback one shows every tracked state to
whoever can reach it: burr warns when it does.";

/// Serves the burr tracking UI and API over a folder of tracked applications.
#[derive(Debug, Parser)]
#[command(name = "burr", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Args {
    /// What to do instead of serving the UI.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on. The default only accepts connections from this machine;
    /// another address exposes every tracked state to the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on.
    #[arg(long, default_value_t = 7241)]
    port: u16,
    /// Tracking folder (default: $BURR_PATH, else ~/.burr), or a bucket's URL such as
    /// s3://bucket/prefix (mirrored into --index-dir and followed live).
    #[arg(long, value_name = "ROOT", global = true)]
    dir: Option<PathBuf>,
    /// With a bucket as --dir: where its local mirror and index live (default: a folder named
    /// after the URL under ~/.cache/burr/mirror).
    #[arg(long, value_name = "DIR")]
    index_dir: Option<PathBuf>,
    /// Also answer requests that name this host (a name or an address; repeatable). Without
    /// it only localhost, 127.0.0.1, [::1] and the --host address are answered. A name that
    /// is not one (a URL, a port that is not a number, an empty entry) stops burr.
    #[arg(
        long = "allow-host",
        value_name = "NAME",
        env = "BURR_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    allow_hosts: Vec<String>,
    /// Do not open a web browser.
    #[arg(long)]
    no_open: bool,
}

/// The commands besides serving.
#[derive(Debug, Subcommand)]
enum Command {
    /// Draw the graph of a tracked application as SVG (no Graphviz needed), Mermaid or DOT.
    Graph(graph::GraphArgs),
    /// Export a step of a tracked application as a test case (state before, inputs, state
    /// after, result), printed or appended to a JSON fixture.
    TestCase(test_case::TestCaseArgs),
}

/// Where the tracking data is, and whether the user named it (a named folder must exist).
fn root(args: &Args) -> Result<(PathBuf, bool), NoHomeDir> {
    if let Some(dir) = &args.dir {
        return Ok((layout::expand_home(dir), true));
    }
    let root = layout::resolve_root()?;
    Ok((root.path, root.source == RootSource::Env))
}

/// Opens `url` in the desktop's browser if a launcher is installed; never fails the server.
fn open_browser(url: &str) {
    let launcher = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(launcher).is_file()));
    if !found {
        return;
    }
    let spawned = std::process::Command::new(launcher)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if let Err(err) = spawned {
        eprintln!("burr: could not open a browser ({err}); open {url} yourself");
    }
}

/// The URL to open on this machine: the bound address, or the loopback one of its family when
/// every interface is bound.
fn local_url(local: SocketAddr) -> String {
    let shown = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), local.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), local.port())
        }
        _ => local,
    };
    format!("http://{shown}/")
}

/// Says on standard error that the data is readable from the network.
fn warn_exposed(local: SocketAddr, allowed: &[String]) {
    eprintln!(
        "burr: warning: {} is not a loopback address: whoever can reach this machine on port {} can read every tracked application (inputs, results, states) in this folder, without a password",
        local.ip(),
        local.port()
    );
    if local.ip().is_unspecified() && allowed.is_empty() {
        eprintln!(
            "burr: warning: requests naming this machine by another name than localhost are refused (421) until you pass --allow-host NAME"
        );
    }
}

/// Completes on Ctrl-C; never, if the signal handler cannot be installed.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Prints a line; a closed standard output must not stop the server.
pub(crate) fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(command) = &args.command {
        let dir = match root(&args) {
            Ok((dir, _)) => dir,
            Err(NoHomeDir) => {
                eprintln!("burr: cannot find the home directory: set BURR_PATH or pass --dir");
                return ExitCode::from(2);
            }
        };
        return match command {
            Command::Graph(graph_args) => graph::run(&dir, graph_args),
            Command::TestCase(case_args) => test_case::run(&dir, case_args),
        };
    }
    let allowed_hosts = match args.allow_hosts.iter().try_fold(
        AllowedHosts::loopback().allow_ip(args.host),
        AllowedHosts::try_allow,
    ) {
        Ok(hosts) => hosts,
        Err(err) => {
            eprintln!("burr: --allow-host / BURR_ALLOW_HOSTS: {err}");
            return ExitCode::from(2);
        }
    };
    let (dir, named) = match root(&args) {
        Ok(found) => found,
        Err(NoHomeDir) => {
            eprintln!("burr: cannot find the home directory: set BURR_PATH or pass --dir");
            return ExitCode::from(2);
        }
    };
    if let Some(url) = dir.to_str().filter(|d| layout::is_url(d)) {
        return serve_bucket(&args, url.to_string(), allowed_hosts);
    }
    if dir.exists() && !dir.is_dir() {
        eprintln!(
            "burr: the tracking folder {} is not a folder; point --dir / BURR_PATH at the folder your applications write to",
            dir.display()
        );
        return ExitCode::from(2);
    }
    if !dir.is_dir() {
        if named {
            eprintln!(
                "burr: the tracking folder {} does not exist; create it, or point --dir / BURR_PATH at the folder your applications write to",
                dir.display()
            );
            return ExitCode::from(2);
        }
        if let Err(err) = std::fs::create_dir_all(&dir) {
            eprintln!("burr: cannot create {}: {err}", dir.display());
            return ExitCode::from(2);
        }
    }
    let label = dir.display().to_string();
    serve(&args, allowed_hosts, &label, true, async move {
        Ok(Store::new(dir))
    })
}

/// Serves the store `open` gives (`label` names what it reads) until Ctrl-C; with
/// `demo_hint`, says when it has no projects yet (the page then offers the demo projects).
fn serve(
    args: &Args,
    allowed_hosts: AllowedHosts,
    label: &str,
    demo_hint: bool,
    open: impl std::future::Future<Output = Result<Store, String>>,
) -> ExitCode {
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    let addr = SocketAddr::new(args.host, args.port);
    let options = ServeOptions {
        allowed_hosts,
        ..ServeOptions::default()
    };
    let result = runtime.block_on(async {
        let store = open.await?;
        let listener = server::bind(addr).await.map_err(|e| e.to_string())?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let url = local_url(local);
        say(&format!("burr: serving {label} at {url}"));
        if local.ip().is_unspecified() {
            say(&format!(
                "burr: listening on {local} (every network interface of this machine)"
            ));
        }
        if !local.ip().is_loopback() {
            warn_exposed(local, &args.allow_hosts);
        }
        if demo_hint && store.projects().is_ok_and(|projects| projects.is_empty()) {
            say("burr: no projects there yet; the page offers demo projects to look around");
        }
        say("burr: press Ctrl-C to stop");
        if !args.no_open {
            open_browser(&url);
        }
        server::serve_with(listener, store, options, ctrl_c())
            .await
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("burr: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The server's runtime; `None` (said on standard error) when it cannot start.
fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(err) => {
            eprintln!("burr: cannot start the async runtime: {err}");
            None
        }
    }
}

/// Serves a bucket: mirrors it, follows it, and serves the mirror.
#[cfg(feature = "object-store")]
fn serve_bucket(args: &Args, url: String, allowed_hosts: AllowedHosts) -> ExitCode {
    let index_dir = args.index_dir.as_ref().map(layout::expand_home);
    serve(args, allowed_hosts, &url.clone(), false, async move {
        let mirror = bucket::open(&url, index_dir).await?;
        let store = Store::new(mirror.data_dir().to_path_buf());
        bucket::follow(mirror);
        Ok(store)
    })
}

/// Without the `object-store` feature a bucket cannot be served.
#[cfg(not(feature = "object-store"))]
fn serve_bucket(_: &Args, url: String, _: AllowedHosts) -> ExitCode {
    eprintln!(
        "burr: cannot serve {url}: this burr was built without the `object-store` feature \
         (it is on by default: cargo install burr-tracking)"
    );
    ExitCode::from(2)
}
