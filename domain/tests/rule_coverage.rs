//! Every rule the domain owns is named by at least one test (`fn r_p1_…`), so a rule cannot
//! lose its tests unnoticed.

const DOMAIN_RULES: &[&str] = &[
    "Q1", "Q2", "Q3", "Q4", "Q5", "E1", "E2", "P1", "P4", "O1", "O2", "O3", "O5", "O6", "T1", "T2", "M1", "R1", "R2",
    "R3", "R4", "R5", "R6", "R7", "R8", "A2", "A3", "A4", "V1", "L1", "L2", "L3", "L7", "L8",
];

#[test]
fn every_domain_rule_is_named_by_a_test() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut test_names = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src is readable") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("source is readable");
        test_names.extend(
            source
                .lines()
                .filter_map(|line| line.trim().strip_prefix("fn r_"))
                .map(|rest| format!("r_{}", rest.split('(').next().unwrap_or_default())),
        );
    }
    let missing: Vec<_> = DOMAIN_RULES
        .iter()
        .filter(|rule| {
            let tag = rule.to_lowercase();
            !test_names
                .iter()
                .any(|name| name.split('_').collect::<Vec<_>>().windows(2).any(|w| w[0] == "r" && w[1] == tag))
        })
        .collect();
    assert!(missing.is_empty(), "rules with no test named after them: {missing:?}");
}
