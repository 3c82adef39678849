//! A TCP forwarder that can be cut: the test's stand-in for a network between the service and
//! PostgreSQL that fails. While cut, open connections are closed and new ones are accepted but
//! never answered, as a dead route behaves; restoring it lets connections through again.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Links {
    /// Both ends of every forwarded connection, to close when the line is cut.
    open: Vec<TcpStream>,
    /// Connections accepted while cut and left unanswered.
    held: Vec<TcpStream>,
}

pub struct Forwarder {
    pub address: SocketAddr,
    cut: Arc<AtomicBool>,
    links: Arc<Mutex<Links>>,
}

impl Forwarder {
    /// Listens on a free local port and forwards every connection to `target`.
    pub fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let links = Arc::new(Mutex::new(Links::default()));
        let (accept_cut, accept_links) = (cut.clone(), links.clone());
        std::thread::spawn(move || {
            for incoming in listener.incoming() {
                let Ok(client) = incoming else { continue };
                if accept_cut.load(Ordering::SeqCst) {
                    accept_links.lock().unwrap().held.push(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else { continue };
                let mut links = accept_links.lock().unwrap();
                links.open.push(client.try_clone().unwrap());
                links.open.push(server.try_clone().unwrap());
                drop(links);
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Self { address, cut, links }
    }

    /// `url` with its host and port replaced by the forwarder's.
    pub fn url_through(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let (authority, path) = rest.split_once('/').unwrap();
        let credentials = authority.rsplit_once('@').map(|(user, _)| format!("{user}@")).unwrap_or_default();
        format!("{scheme}://{credentials}{}/{path}", self.address)
    }

    /// Closes every open connection and leaves new ones unanswered.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for stream in self.links.lock().unwrap().open.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Lets connections through again; the ones held while cut are closed.
    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
        for stream in self.links.lock().unwrap().held.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}
