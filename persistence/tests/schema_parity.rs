//! The SQLite and PostgreSQL migrations build the same database: the same tables and columns
//! (type and nullability), the same CHECK constraints (the same allowed values), the same unique
//! constraints, indexes and foreign keys. And the allowed values of every coded column are exactly
//! the domain's codes. The PostgreSQL half runs when `TEST_POSTGRES_URL` is set (CI sets it).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use persistence::testing::{TestDatabase, postgres_url};
use persistence::{Database, DatabaseUrl, PoolOptions};
use std::collections::{BTreeMap, BTreeSet};

/// Everything compared, in a form both backends can be brought to.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    /// table → column → (type, nullable)
    columns: BTreeMap<String, BTreeMap<String, (String, bool)>>,
    /// (table, column) → allowed values, or `["<expression>"]` for any other check
    checks: BTreeMap<(String, String), BTreeSet<String>>,
    /// (table, columns, unique)
    indexes: BTreeSet<(String, String, bool)>,
    /// names of the indexes created by `CREATE INDEX` (not those behind constraints)
    named_indexes: BTreeSet<String>,
    /// (table, column, referenced table, referenced column, on delete)
    foreign_keys: BTreeSet<(String, String, String, String, String)>,
}

fn migrated(database: &TestDatabase) {
    let url = DatabaseUrl::parse(&database.url).unwrap();
    let db = Database::connect(&url, PoolOptions { max_size: 1, ..Default::default() }).unwrap();
    db.run_migrations().unwrap();
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = Bool)]
    notnull: bool,
    #[diesel(sql_type = Bool)]
    pk: bool,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    unique: bool,
    #[diesel(sql_type = Text)]
    origin: String,
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Text)]
    from: String,
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = Text)]
    to: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

/// The expression inside `CHECK (` … `)` starting at `from`, with nested parentheses.
fn balanced(text: &str, from: usize) -> &str {
    let mut depth = 0;
    for (i, c) in text[from..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[from + 1..from + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced CHECK in {text}")
}

/// `column IN ('a', 'b')` → the values; anything else → one marker.
fn allowed(expression: &str) -> BTreeSet<String> {
    if expression.contains(" IN (") || expression.contains("ANY (ARRAY[") {
        expression.split('\'').skip(1).step_by(2).map(str::to_owned).collect()
    } else {
        BTreeSet::from(["<expression>".to_owned()])
    }
}

fn sqlite_shape(url: &str) -> Shape {
    let mut conn = SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap();
    let tables: Vec<SqliteTable> = diesel::sql_query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name != '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .unwrap();
    let mut shape = Shape::default();
    for table in &tables {
        let columns: Vec<SqliteColumn> = diesel::sql_query(format!(
            "SELECT name, type, \"notnull\", pk > 0 AS pk FROM pragma_table_info('{}')",
            table.name
        ))
        .load(&mut conn)
        .unwrap();
        for column in &columns {
            let nullable = !(column.notnull || column.pk);
            shape
                .columns
                .entry(table.name.clone())
                .or_default()
                .insert(column.name.clone(), (column.r#type.to_lowercase(), nullable));
        }
        // Column CHECK constraints: the column is the first word of the line that holds them.
        for line in table.sql.lines() {
            if let Some(at) = line.find("CHECK (") {
                let column = line.split_whitespace().next().unwrap().to_owned();
                let expression = balanced(line, at + "CHECK ".len());
                shape.checks.insert((table.name.clone(), column), allowed(expression));
            }
        }
        let indexes: Vec<SqliteIndex> =
            diesel::sql_query(format!("SELECT name, \"unique\", origin FROM pragma_index_list('{}')", table.name))
                .load(&mut conn)
                .unwrap();
        for index in &indexes {
            let columns: Vec<Name> =
                diesel::sql_query(format!("SELECT name FROM pragma_index_info('{}') ORDER BY seqno", index.name))
                    .load(&mut conn)
                    .unwrap();
            let columns = columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",");
            shape.indexes.insert((table.name.clone(), columns, index.unique));
            if index.origin == "c" {
                shape.named_indexes.insert(index.name.clone());
            }
        }
        // A TEXT primary key has no index of its own in pragma_index_list when it is the rowid
        // alias; ours are all TEXT, so SQLite lists them as `pk` indexes above.
        let keys: Vec<SqliteForeignKey> = diesel::sql_query(format!(
            "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list('{}')",
            table.name
        ))
        .load(&mut conn)
        .unwrap();
        for key in keys {
            shape.foreign_keys.insert((table.name.clone(), key.from, key.table, key.to, key.on_delete.to_lowercase()));
        }
    }
    shape
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct PgConstraint {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    columns: Option<String>,
    #[diesel(sql_type = Text)]
    definition: String,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    backs_constraint: bool,
}

fn pg_shape(url: &str) -> Shape {
    let mut conn = PgConnection::establish(url).unwrap();
    let mut shape = Shape::default();
    let columns: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES' AS nullable \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name != '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .unwrap();
    for column in columns {
        let data_type = match column.data_type.as_str() {
            "timestamp without time zone" => "timestamp".to_owned(),
            other => other.to_owned(),
        };
        shape.columns.entry(column.table_name).or_default().insert(column.column_name, (data_type, column.nullable));
    }
    let constraints: Vec<PgConstraint> = diesel::sql_query(
        "SELECT rel.relname::text AS table_name, \
           (SELECT string_agg(a.attname::text, ',') FROM unnest(c.conkey) k \
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k) AS columns, \
           pg_get_constraintdef(c.oid) AS definition \
         FROM pg_constraint c JOIN pg_class rel ON rel.oid = c.conrelid \
         JOIN pg_namespace ns ON ns.oid = rel.relnamespace \
         WHERE ns.nspname = current_schema() AND c.contype IN ('c', 'f') \
         AND rel.relname != '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .unwrap();
    for constraint in constraints {
        let column = constraint.columns.unwrap_or_default();
        if let Some(rest) = constraint.definition.strip_prefix("FOREIGN KEY") {
            // FOREIGN KEY (col) REFERENCES table(col) [ON DELETE CASCADE]
            let referenced = rest.split("REFERENCES ").nth(1).unwrap();
            let (table, rest) = referenced.split_once('(').unwrap();
            let (to, rest) = rest.split_once(')').unwrap();
            let on_delete = if rest.contains("ON DELETE CASCADE") { "cascade" } else { "no action" };
            shape.foreign_keys.insert((
                constraint.table_name,
                column,
                table.trim().to_owned(),
                to.to_owned(),
                on_delete.to_owned(),
            ));
        } else {
            shape.checks.insert((constraint.table_name, column), allowed(&constraint.definition));
        }
    }
    let indexes: Vec<PgIndex> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
           array_to_string(ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n) \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n), ',') AS columns, \
           ix.indisunique AS is_unique, \
           EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid) AS backs_constraint \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         WHERE ns.nspname = current_schema() AND t.relname != '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .unwrap();
    for index in indexes {
        shape.indexes.insert((index.table_name, index.columns, index.is_unique));
        if !index.backs_constraint {
            shape.named_indexes.insert(index.index_name);
        }
    }
    shape
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> BTreeSet<String> {
    all.iter().map(|value| code(*value).to_owned()).collect()
}

fn check_codes(shape: &Shape) {
    use domain::account::AccountStatus;
    use domain::journey::{ApplicationStatus, Route};
    use domain::passcode::PasscodeChannel;
    let expected = [
        (("applications", "status"), codes(&ApplicationStatus::ALL, ApplicationStatus::code)),
        (("accounts", "status"), codes(&AccountStatus::ALL, AccountStatus::code)),
        (
            ("applications", "passcode_channel"),
            codes(&[PasscodeChannel::Email, PasscodeChannel::Post], PasscodeChannel::as_str),
        ),
        (("passcodes", "channel"), codes(&[PasscodeChannel::Email, PasscodeChannel::Post], PasscodeChannel::as_str)),
        (("applications", "route"), codes(&[Route::A, Route::B], Route::code)),
    ];
    for ((table, column), values) in expected {
        assert_eq!(
            shape.checks.get(&(table.to_owned(), column.to_owned())),
            Some(&values),
            "{table}.{column} must allow exactly the domain's codes"
        );
    }
    assert!(
        shape.checks.contains_key(&("applications".to_owned(), "town".to_owned())),
        "R-T2: the town is checked by the database too"
    );
    for (table, columns) in
        [("applications", "created_at,id"), ("shared_mailboxes", "application_id"), ("accounts", "application_id")]
    {
        assert!(
            shape.indexes.contains(&(table.to_owned(), columns.to_owned(), false)),
            "{table}({columns}) is indexed"
        );
    }
}

#[test]
fn coded_columns_allow_exactly_the_domain_codes_and_lists_are_indexed() {
    let sqlite = TestDatabase::sqlite();
    migrated(&sqlite);
    check_codes(&sqlite_shape(&sqlite.url));
}

#[test]
fn sqlite_and_postgres_migrations_build_the_same_database() {
    let Some(base) = postgres_url() else {
        eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL half is not compared");
        return;
    };
    let (sqlite, postgres) = (TestDatabase::sqlite(), TestDatabase::postgres(&base));
    migrated(&sqlite);
    migrated(&postgres);
    let (lite, pg) = (sqlite_shape(&sqlite.url), pg_shape(&postgres.url));
    check_codes(&pg);
    assert!(!lite.columns.is_empty() && lite.columns.len() > 10, "the SQLite schema was read");
    eprintln!(
        "compared: {} tables, {} checks, {} indexes, {} foreign keys",
        lite.columns.len(),
        lite.checks.len(),
        lite.indexes.len(),
        lite.foreign_keys.len()
    );
    assert_eq!(lite.columns, pg.columns, "tables and columns");
    assert_eq!(lite.checks, pg.checks, "CHECK constraints");
    assert_eq!(lite.indexes, pg.indexes, "indexes and unique constraints");
    assert_eq!(lite.named_indexes, pg.named_indexes, "index names");
    assert_eq!(lite.foreign_keys, pg.foreign_keys, "foreign keys");
}
