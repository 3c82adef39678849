//! Password hashing with argon2id (R-L2), off the request workers and with bounded concurrency:
//! each hash takes ARGON2_MEMORY_KIB of memory and real CPU time, so a fixed set of
//! PASSWORD_HASHING_CONCURRENCY threads does all the hashing and requests wait their turn in a
//! queue. A burst of sign-ins can neither starve other requests nor exhaust memory: the memory
//! each thread's allocator keeps for the next hash is that thread's, so it is held once per
//! hashing thread, not once per thread of a growing blocking pool.

use crate::Error;
use crate::settings::Argon2Settings;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Bytes of hash output stored (argon2's default).
const OUTPUT_LEN: usize = Params::DEFAULT_OUTPUT_LEN;

thread_local! {
    /// This thread's argon2 working memory: allocated by its first hash and reused by the next,
    /// so the memory hashing uses is bounded by the number of hashing threads.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with at least `blocks` blocks of this thread's working memory.
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            *memory = vec![Block::new(); blocks];
        }
        work(&mut memory[..blocks])
    })
}

#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// The queue of the hashing threads; they stop when the last `Passwords` is dropped.
    jobs: mpsc::Sender<Job>,
    /// A hash of a random value, verified against when a username is unknown, so that an
    /// unknown user costs as much time as a wrong password.
    dummy: Arc<String>,
    /// Jobs queued and not yet started by a hashing thread.
    queued: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").field("params", &self.params).finish_non_exhaustive()
    }
}

/// Starts `threads` threads that run queued jobs one at a time each, until the queue closes.
fn start_hashing_threads(threads: usize) -> anyhow::Result<mpsc::Sender<Job>> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    for n in 0..threads.max(1) {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || {
            loop {
                // The lock is released at the end of this statement, before the job runs.
                let next = receiver.lock().map_err(|_| ()).and_then(|queue| queue.recv().map_err(|_| ()));
                let Ok(job) = next else { return };
                // A panicking job loses only its own answer, never the thread.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
        })?;
    }
    Ok(sender)
}

impl Passwords {
    pub fn new(settings: Argon2Settings, concurrency: usize) -> anyhow::Result<Self> {
        let params = Params::new(settings.memory_kib, settings.iterations, settings.parallelism, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let mut passwords = Self {
            params,
            jobs: start_hashing_threads(concurrency)?,
            dummy: Arc::new(String::new()),
            queued: Arc::new(AtomicUsize::new(0)),
        };
        let random = crate::secrets::new_application_token().map_err(|e| anyhow::anyhow!("{e}"))?;
        passwords.dummy = Arc::new(passwords.hash_blocking(&random).map_err(|e| anyhow::anyhow!("{e}"))?);
        // That hash ran on the caller's thread, which is not a hashing thread: give its memory back.
        MEMORY.with_borrow_mut(|memory| *memory = Vec::new());
        Ok(passwords)
    }

    /// Queues `work` for a hashing thread; the answer comes on the returned channel. A request
    /// abandoned while waiting costs no hashing.
    fn queue<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Self) -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>, Error> {
        let (reply, answer) = oneshot::channel();
        let this = self.clone();
        self.queued.fetch_add(1, Ordering::Relaxed);
        let job: Job = Box::new(move || {
            this.queued.fetch_sub(1, Ordering::Relaxed);
            if !reply.is_closed() {
                let _ = reply.send(work(&this));
            }
        });
        self.jobs.send(job).map_err(|_| Error::internal("the password hashing threads have stopped"))?;
        Ok(answer)
    }

    /// Hashing jobs waiting for a free hashing thread.
    pub fn queue_depth(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Runs `work` on a hashing thread when one is free.
    async fn on_hashing_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Self) -> T + Send + 'static,
    ) -> Result<T, Error> {
        self.queue(work)?.await.map_err(|_| Error::internal("a password hashing job failed"))
    }

    /// Hashes on the calling thread: for the command line and for work already off the async
    /// workers.
    pub fn hash_blocking(&self, password: &str) -> Result<String, Error> {
        let salt = Salt::new(&crate::secrets::random::<{ Salt::RECOMMENDED_LENGTH }>()?).map_err(Error::internal)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        let mut output = [0u8; OUTPUT_LEN];
        with_memory(self.params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut output, memory)
        })
        .map_err(Error::internal)?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(Error::internal)?,
            salt: Some(salt),
            hash: Some(Output::new(&output).map_err(Error::internal)?),
        };
        Ok(phc.to_string())
    }

    /// Checks on the calling thread, with the parameters stored in `hash` (so hashes made under
    /// earlier settings still verify). A malformed stored hash never matches.
    pub fn verify_blocking(&self, password: &str, hash: &str) -> bool {
        let Ok(stored) = PasswordHash::new(hash) else { return false };
        let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else { return false };
        let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(stored.algorithm.as_str()), Params::try_from(&stored))
        else {
            return false;
        };
        let version = stored.version.map_or(Ok(Version::V0x13), Version::try_from);
        let Ok(version) = version else { return false };
        let mut output = vec![0u8; expected.len()];
        let blocks = params.block_count();
        let argon2 = Argon2::new(algorithm, version, params);
        let computed = with_memory(blocks, |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut output, memory)
        });
        // `Output` compares in constant time.
        computed.is_ok() && Output::new(&output).is_ok_and(|output| &output == expected)
    }

    /// Hashes on a hashing thread, waiting for a free one first.
    pub async fn hash(&self, password: String) -> Result<String, Error> {
        self.on_hashing_thread(move |this| this.hash_blocking(&password)).await?
    }

    /// Checks a new password against the policy (R-L2) on a hashing thread: the strength
    /// estimate can take a noticeable fraction of a second on long, patterned input, and must
    /// not hold up a request worker.
    pub async fn check_policy(
        &self,
        candidate: String,
        personal: Vec<String>,
    ) -> Result<Result<(), Vec<domain::password::PasswordError>>, Error> {
        self.on_hashing_thread(move |_| {
            let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
            domain::password::check(&candidate, &personal).map(|_| ())
        })
        .await
    }

    /// Hashes every password, all queued at once so that every hashing thread works on them
    /// together; the hashes come back in the order of the passwords.
    pub async fn hash_all(&self, passwords: Vec<String>) -> Result<Vec<String>, Error> {
        let answers = passwords
            .into_iter()
            .map(|password| self.queue(move |this| this.hash_blocking(&password)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut hashes = Vec::with_capacity(answers.len());
        for answer in answers {
            hashes.push(answer.await.map_err(|_| Error::internal("a password hashing job failed"))??);
        }
        Ok(hashes)
    }

    /// Checks against `hash`, or against a dummy hash when there is none (unknown user), so both
    /// take the same time. Returns false for the dummy.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Error> {
        self.on_hashing_thread(move |this| match hash {
            Some(hash) => this.verify_blocking(&password, &hash),
            None => {
                let _ = this.verify_blocking(&password, &this.dummy);
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_all_gives_each_password_its_own_hash_in_order() {
        let passwords = Passwords::new(Argon2Settings::MINIMUM, 2).unwrap();
        let given: Vec<String> = ["first one", "second one", "third one"].map(str::to_owned).to_vec();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let hashes = runtime.block_on(passwords.hash_all(given.clone())).unwrap();
        assert_eq!(hashes.len(), 3);
        for (password, hash) in given.iter().zip(&hashes) {
            assert!(passwords.verify_blocking(password, hash), "{password} matches its own hash");
        }
        assert!(!passwords.verify_blocking(&given[0], &hashes[1]), "and not another's");
    }

    #[test]
    fn r_l2_hashes_are_argon2id_with_the_configured_floor_and_verify() {
        let passwords = Passwords::new(Argon2Settings::MINIMUM, 1).unwrap();
        let hash = passwords.hash_blocking("plinth marmalade oboe").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(passwords.verify_blocking("plinth marmalade oboe", &hash));
        assert!(!passwords.verify_blocking("plinth marmalade obo", &hash));
        assert!(!passwords.verify_blocking("x", "not a hash"));
        let long = "a really long passphrase ".repeat(10);
        let hash = passwords.hash_blocking(&long).unwrap();
        assert!(!passwords.verify_blocking(&long[..64], &hash), "no truncation at 64 characters");
        assert!(passwords.verify_blocking(&long, &hash));
    }

    #[test]
    fn r_l2_our_hashes_and_the_reference_implementation_agree() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let passwords = Passwords::new(Argon2Settings::MINIMUM, 1).unwrap();
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, passwords.params.clone());
        let ours = passwords.hash_blocking("gorse lantern quibble").unwrap();
        assert!(reference.verify_password(b"gorse lantern quibble", ours.as_str()).is_ok());
        assert!(reference.verify_password(b"gorse lantern quibbles", ours.as_str()).is_err());
        let theirs = reference.hash_password(b"gorse lantern quibble").unwrap().to_string();
        assert!(passwords.verify_blocking("gorse lantern quibble", &theirs));
        assert!(!passwords.verify_blocking("gorse lantern quibbl", &theirs));
        // A hash made under other settings is checked with its own parameters.
        let older = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 3, 1, None).unwrap());
        let older = older.hash_password(b"gorse lantern quibble").unwrap().to_string();
        assert!(older.contains("m=8192,t=3,p=1"));
        assert!(passwords.verify_blocking("gorse lantern quibble", &older));
        assert!(!passwords.verify_blocking("gorse lantern", &older));
    }

    #[test]
    fn each_thread_reuses_one_block_of_working_memory() {
        let passwords = Passwords::new(Argon2Settings::MINIMUM, 1).unwrap();
        let first = passwords.hash_blocking("plinth marmalade oboe").unwrap();
        let address = MEMORY.with_borrow(|memory| memory.as_ptr() as usize);
        assert!(passwords.verify_blocking("plinth marmalade oboe", &first));
        let _ = passwords.hash_blocking("another long passphrase").unwrap();
        MEMORY.with_borrow(|memory| {
            assert_eq!(memory.len(), passwords.params.block_count());
            assert_eq!(memory.as_ptr() as usize, address, "the same memory, not a new allocation");
        });
    }
}
