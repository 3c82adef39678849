//! The reverse proxy of `docker-compose.yml`, run with local processes: Debian's nginx with the
//! repository's own `deploy/nginx.conf` (only the upstream and listen addresses and the temporary
//! paths replaced), or, where nginx is not installed, a tiny proxy of the test's own that does
//! what that configuration does for the service (round robin over the replicas, the client's
//! address appended to `X-Forwarded-For`). CI sets `REQUIRE_NGINX=1` so that it runs the real
//! thing or fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// The compose file's proxy configuration.
pub fn nginx_conf_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx.conf")
}

fn nginx_binary() -> Option<PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join("nginx")).collect::<Vec<_>>())
        .unwrap_or_default();
    candidates.into_iter().chain([PathBuf::from("/usr/sbin/nginx")]).find(|path| path.is_file())
}

pub struct Proxy {
    pub base_url: String,
    /// `nginx` or `test proxy`.
    pub kind: &'static str,
    child: Option<Child>,
    directory: Option<PathBuf>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Starts a proxy in front of `upstreams`.
    pub fn start(upstreams: [SocketAddr; 2]) -> Self {
        match nginx_binary() {
            Some(nginx) => Self::nginx(&nginx, upstreams),
            None if std::env::var_os("REQUIRE_NGINX").is_some() => {
                panic!("REQUIRE_NGINX is set but nginx is not installed (apt-get install nginx-light)")
            }
            None => {
                eprintln!("nginx is not installed: using the test's own proxy instead");
                Self::own(upstreams)
            }
        }
    }

    fn nginx(nginx: &Path, [first, second]: [SocketAddr; 2]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let directory = std::env::temp_dir().join(format!("nginx-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&directory).unwrap();
        let mut conf = std::fs::read_to_string(nginx_conf_path()).unwrap();
        for (from, to) in [
            ("server api-1:8080 ", format!("server {first} ")),
            ("server api-2:8080 ", format!("server {second} ")),
            ("listen 8080;", format!("listen 127.0.0.1:{port};")),
            ("/tmp/nginx-", format!("{}/", directory.display())),
        ] {
            assert!(conf.contains(from), "deploy/nginx.conf no longer has `{from}`: update the topology test");
            conf = conf.replace(from, &to);
        }
        let conf_path = directory.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        // One process, so that stopping it leaves no worker behind holding the test's output.
        let pid = format!("daemon off; master_process off; pid {}/nginx.pid;", directory.display());
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&directory)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", &pid])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let proxy = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            kind: "nginx",
            child: Some(child),
            directory: Some(directory),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while reqwest::blocking::get(format!("{}/proxy-health", proxy.base_url)).map(|r| r.status().as_u16()).ok()
            != Some(200)
        {
            assert!(std::time::Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    fn own(upstreams: [SocketAddr; 2]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        std::thread::spawn(move || {
            let next = AtomicUsize::new(0);
            for client in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(client) = client else { continue };
                let upstream = upstreams[next.fetch_add(1, Ordering::Relaxed) % upstreams.len()];
                std::thread::spawn(move || {
                    let _ = relay(client, upstream);
                });
            }
        });
        Self { base_url: format!("http://{address}"), kind: "test proxy", child: None, directory: None, stop }
    }
}

/// One request from `client` to `upstream` and its answer back, with the client's address
/// appended to `X-Forwarded-For` as `$proxy_add_x_forwarded_for` does; then the connection closes.
fn relay(mut client: TcpStream, upstream: SocketAddr) -> std::io::Result<()> {
    let peer = client.peer_addr()?.ip();
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let (mut headers, mut forwarded_for, mut length) = (String::new(), None, 0usize);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => forwarded_for = Some(value.trim().to_owned()),
            "connection" | "keep-alive" => {}
            lower => {
                if lower == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                }
                headers.push_str(&line);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let chain = forwarded_for.map_or_else(|| peer.to_string(), |earlier| format!("{earlier}, {peer}"));
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(
        format!("{request_line}{headers}X-Forwarded-For: {chain}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    server.write_all(&body)?;
    std::io::copy(&mut server, &mut client)?;
    client.shutdown(Shutdown::Both)
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(directory) = &self.directory {
            let _ = std::fs::remove_dir_all(directory);
        }
        // Wakes the test proxy's accept loop so it sees the stop.
        if self.kind == "test proxy" {
            let _ = TcpStream::connect(self.base_url.trim_start_matches("http://"));
        }
    }
}
