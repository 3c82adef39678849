//! The scheduler: a job runs when its interval has passed, one runner at a time under a lease, a
//! lapsed lease is taken over with the dead run marked interrupted, every run is recorded, and
//! pruning forgets only attempt records older than any limit looks back, and finished messages
//! only after their retention period.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::scheduler::{self, Job, RunOutcome};
use app::testing::UseCases;
use chrono::Duration;
use persistence::{Database, PoolOptions, attempts, jobs};

fn database(use_cases: &UseCases) -> Database {
    Database::connect(&use_cases.app.settings().database.url, PoolOptions { max_size: 1, ..Default::default() })
        .unwrap()
}

fn names(ran: &[scheduler::Ran]) -> Vec<&'static str> {
    ran.iter().map(|ran| ran.job.name()).collect()
}

#[tokio::test]
async fn jobs_run_when_due_and_every_run_is_recorded() {
    for use_cases in UseCases::on_each_backend(|_| {}) {
        let app = &use_cases.app;
        let ran = scheduler::run_due(app, "runner-a").await.unwrap();
        assert_eq!(
            names(&ran),
            [
                "expire_drafts",
                "prune_attempts",
                "account_inactivity",
                "prune_messages",
                "prune_personal_data",
                "passcode_mailshots"
            ],
            "{}: nothing has run yet",
            use_cases.backend
        );
        assert!(ran.iter().all(|ran| ran.error.is_none()), "{ran:?}");

        let again = scheduler::run_due(app, "runner-b").await.unwrap();
        assert!(again.is_empty(), "{}: neither is due a moment later: {again:?}", use_cases.backend);

        use_cases.clock.advance(Duration::minutes(2));
        let ran = scheduler::run_due(app, "runner-b").await.unwrap();
        assert_eq!(
            names(&ran),
            ["expire_drafts", "passcode_mailshots"],
            "{}: only the minutely jobs are due",
            use_cases.backend
        );

        use_cases.clock.advance(Duration::hours(1));
        let ran = scheduler::run_due(app, "runner-a").await.unwrap();
        let hourly = [
            "expire_drafts",
            "prune_attempts",
            "account_inactivity",
            "prune_messages",
            "prune_personal_data",
            "passcode_mailshots",
        ];
        assert_eq!(names(&ran), hourly, "{}", use_cases.backend);

        let history = scheduler::history(app, 20).await.unwrap();
        assert_eq!(history.len(), 14, "{}: {history:#?}", use_cases.backend);
        assert!(
            history.iter().all(|run| run.outcome == RunOutcome::Succeeded && run.finished_at.is_some()),
            "{history:#?}"
        );
        assert_eq!(history[0].runner, "runner-a", "newest first");
        assert!(history.windows(2).all(|pair| pair[0].started_at >= pair[1].started_at), "{history:#?}");
    }
}

#[tokio::test]
async fn a_held_job_is_left_alone_until_its_lease_lapses() {
    for use_cases in UseCases::on_each_backend(|_| {}) {
        let app = &use_cases.app;
        let db = database(&use_cases);
        let mut conn = db.get().unwrap();
        // Another runner takes the job, starts a run and dies with the lease held.
        let now = app.now();
        assert!(jobs::acquire(&mut conn, "prune_attempts", "dead-runner", now + Duration::minutes(5), now).unwrap());
        jobs::start_run(&mut conn, "prune_attempts", "dead-runner", now).unwrap();

        assert_eq!(scheduler::run_job(app, "runner-a", Job::PruneAttempts).await.unwrap(), None, "held elsewhere");
        let ran = scheduler::run_due(app, "runner-a").await.unwrap();
        assert_eq!(
            names(&ran),
            ["expire_drafts", "account_inactivity", "prune_messages", "prune_personal_data", "passcode_mailshots"],
            "{}: the held job is skipped",
            use_cases.backend
        );

        use_cases.clock.advance(Duration::minutes(6));
        let ran = scheduler::run_job(app, "runner-a", Job::PruneAttempts).await.unwrap().expect("the lease lapsed");
        assert_eq!(ran.error, None);
        let history = scheduler::history(app, 10).await.unwrap();
        let prunes: Vec<_> =
            history.iter().filter(|run| run.job == Job::PruneAttempts).map(|run| run.outcome.code()).collect();
        assert_eq!(prunes, ["succeeded", "interrupted"], "{}: {history:#?}", use_cases.backend);

        // Released after the run: another runner may take it at once.
        assert!(scheduler::run_job(app, "runner-b", Job::PruneAttempts).await.unwrap().is_some());
    }
}

#[test]
fn only_one_of_many_runners_takes_a_lease_at_once() {
    for use_cases in UseCases::on_each_backend(|_| {}) {
        let url = use_cases.app.settings().database.url.clone();
        let now = use_cases.app.now();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let takers: Vec<_> = (0..6)
            .map(|i| {
                let (url, barrier) = (url.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let db = Database::connect(&url, PoolOptions { max_size: 1, ..Default::default() }).unwrap();
                    let mut conn = db.get().unwrap();
                    barrier.wait();
                    jobs::acquire(&mut conn, "expire_drafts", &format!("runner-{i}"), now + Duration::minutes(5), now)
                        .unwrap()
                })
            })
            .collect();
        let taken = takers.into_iter().map(|taker| taker.join().unwrap()).filter(|taken| *taken).count();
        assert_eq!(taken, 1, "{}: exactly one runner holds the lease", use_cases.backend);
    }
}

#[tokio::test]
async fn pruning_forgets_only_attempts_older_than_any_limit_looks_back() {
    for use_cases in UseCases::on_each_backend(|_| {}) {
        let app = &use_cases.app;
        let db = database(&use_cases);
        let mut conn = db.get().unwrap();
        let now = app.now();
        attempts::record(&mut conn, "sign_in", "old-subject", "failed", now - Duration::days(16)).unwrap();
        attempts::record(&mut conn, "sign_in", "recent-subject", "failed", now - Duration::days(13)).unwrap();

        let ran = scheduler::run_job(app, "runner-a", Job::PruneAttempts).await.unwrap().unwrap();
        assert_eq!(ran.processed, 1, "{}: {ran:?}", use_cases.backend);
        let since = now - Duration::days(30);
        assert!(attempts::times_since(&mut conn, "sign_in", "old-subject", "failed", since).unwrap().is_empty());
        assert_eq!(attempts::times_since(&mut conn, "sign_in", "recent-subject", "failed", since).unwrap().len(), 1);
    }
}

#[tokio::test]
async fn prune_messages_deletes_finished_messages_after_the_retention_period_and_keeps_the_rest() {
    use diesel::prelude::*;
    use persistence::schema::outbox_messages;
    for use_cases in UseCases::on_each_backend(|_| {}) {
        let app = &use_cases.app;
        let db = database(&use_cases);
        let mut conn = db.get().unwrap();
        let enqueue = |conn: &mut persistence::DbConnection, recipient: &str| {
            let message = persistence::outbox::NewMessage {
                channel: "email",
                template: "welcome_email",
                recipient,
                subject_type: Some("test"),
                subject_id: Some("retention"),
                payload: r#"{"kind":"email","subject":"s","body":"b"}"#.to_owned(),
                contains_secret: false,
            };
            persistence::outbox::enqueue(conn, &message, app.now()).unwrap()
        };
        let delivered = enqueue(&mut conn, "delivered@example.org");
        let waiting = enqueue(&mut conn, "waiting@example.org");
        diesel::update(outbox_messages::table.find(&delivered))
            .set((
                outbox_messages::status.eq("delivered"),
                outbox_messages::status_updated_at.eq(persistence::time::to_db(app.now())),
            ))
            .execute(&mut conn)
            .unwrap();

        use_cases.clock.advance(Duration::days(29));
        scheduler::run_job(app, "runner-a", Job::PruneMessages).await.unwrap().unwrap();
        assert!(persistence::outbox::get(&mut conn, &delivered).unwrap().is_some(), "kept for 30 days");

        use_cases.clock.advance(Duration::days(2));
        let ran = scheduler::run_job(app, "runner-a", Job::PruneMessages).await.unwrap().unwrap();
        assert_eq!(ran.processed, 1, "{}", use_cases.backend);
        assert!(persistence::outbox::get(&mut conn, &delivered).unwrap().is_none(), "deleted with its recipient");
        assert!(persistence::outbox::get(&mut conn, &waiting).unwrap().is_some(), "a message not yet sent stays");
    }
}
