//! The `burr` command: the tracking server and web UI.
//!
//! ```text
//! burr [--host 127.0.0.1] [--port 7241] [--dir ROOT] [--no-open]
//! ```
//!
//! The root is `--dir`, else the `BURR_PATH` environment variable, else `~/.burr`
//! ([`burr_tracking::layout::resolve_root`], as for the tracking client); a leading `~/` is
//! expanded in both.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};

use burr_tracking::layout::{self, NoHomeDir, RootSource};
use burr_tracking::server;
use burr_tracking::server::Store;
use clap::Parser;

/// Serves the burr tracking UI and API over a folder of tracked applications.
#[derive(Debug, Parser)]
#[command(name = "burr", version, about)]
struct Args {
    /// Address to listen on. The default only accepts connections from this machine.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on.
    #[arg(long, default_value_t = 7241)]
    port: u16,
    /// Tracking folder (default: $BURR_PATH, else ~/.burr).
    #[arg(long, value_name = "ROOT")]
    dir: Option<PathBuf>,
    /// Do not open a web browser.
    #[arg(long)]
    no_open: bool,
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

/// Prints a line; a closed standard output must not stop the server.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (dir, named) = match root(&args) {
        Ok(found) => found,
        Err(NoHomeDir) => {
            eprintln!("burr: cannot find the home directory: set BURR_PATH or pass --dir");
            return ExitCode::from(2);
        }
    };
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
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("burr: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let addr = SocketAddr::new(args.host, args.port);
    let result = runtime.block_on(async {
        let listener = server::bind(addr).await?;
        let local = listener.local_addr()?;
        let shown = if local.ip().is_unspecified() {
            SocketAddr::new(IpAddr::from([127, 0, 0, 1]), local.port())
        } else {
            local
        };
        let url = format!("http://{shown}/");
        say(&format!("burr: serving {} at {url}", dir.display()));
        let store = Store::new(dir.clone());
        if store.projects().is_ok_and(|projects| projects.is_empty()) {
            say("burr: no projects there yet; the page offers demo projects to look around");
        }
        say("burr: press Ctrl-C to stop");
        if !args.no_open {
            open_browser(&url);
        }
        server::serve_on(listener, store).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("burr: {err}");
            ExitCode::FAILURE
        }
    }
}
