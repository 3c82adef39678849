//! Schemas of the values requests carry, with the limits the service enforces, taken from the
//! domain's own constants where it has them. Request types name these with
//! `#[schema(schema_with = ...)]`; the boundary then enforces them ([`crate::http::enforce`]).
//!
//! Text never holds control characters: [`crate::openapi::conventions`] gives every request
//! string without a stricter pattern one that refuses them (line breaks are allowed only in
//! free-text reasons).

use domain::contact::Email;
use domain::identifiers::{CqcContactId, PracticeName};
use domain::member::PersonName;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};

fn string(min: usize, max: usize) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).min_length(Some(min)).max_length(Some(max))
}

/// Single-line text of 1 to `max` characters.
pub fn text(max: usize) -> Object {
    string(1, max).build()
}

/// A first or last name (R-R4): 1 to 50 letters, spaces, hyphens and apostrophes.
pub fn person_name() -> Object {
    string(1, PersonName::MAX_LENGTH)
        .description(Some("1 to 50 letters, spaces, hyphens and apostrophes (R-R4)."))
        .examples([serde_json::json!("Monika")])
        .build()
}

/// A business or personal email address, not on NHSmail (R-R5).
pub fn email() -> Object {
    string(3, Email::MAX_LENGTH)
        .pattern(Some(r"^ *[^ @\u0000-\u001F\u007F]+@[^ @\u0000-\u001F\u007F]+ *$"))
        .description(Some("A business or personal email address, not on NHSmail (R-R5)."))
        .examples([serde_json::json!("mpatel@blackpooldentists.net")])
        .build()
}

/// A UK mobile number as people write it (R-R6).
pub fn mobile() -> Object {
    string(10, 30)
        .pattern(Some(r"^[0-9+(). -]+$"))
        .description(Some("A UK mobile: 07…, +44 7… or 0044 7…, with any spaces, dashes or brackets (R-R6)."))
        .examples([serde_json::json!("07998 765432")])
        .build()
}

/// A UK postcode in any case and spacing (R-P1).
pub fn postcode() -> Object {
    string(5, domain::postcode::Postcode::MAX_INPUT_CHARS)
        .pattern(Some(r"^[A-Za-z0-9 ]+$"))
        .description(Some("A UK postcode, in any case and spacing (R-P1)."))
        .examples([serde_json::json!("SW19 4AB")])
        .build()
}

/// The practices of a passcode mailshot (R-O7): 1 to 2000 ODS codes or CQC location ids.
pub fn practice_codes() -> utoipa::openapi::schema::Array {
    let code = string(3, 20)
        .pattern(Some(r"^ *[A-Za-z0-9-]{3,20} *$"))
        .description(Some("An ODS code (V00101) or CQC location id (1-1002733005)."));
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(code)
        .min_items(Some(1))
        .max_items(Some(2000))
        .examples([serde_json::json!(["V00101", "1-1002733005"])])
        .build()
}

/// An ODS code (R-P4): 3 to 10 letters and digits.
pub fn ods_code() -> Object {
    string(3, 20)
        .pattern(Some(r"^ *[A-Za-z0-9]{3,10} *$"))
        .description(Some("The practice's ODS code: 3 to 10 letters and digits (R-P4)."))
        .examples([serde_json::json!("V12345")])
        .build()
}

/// A CQC location ID (R-P4): `1-` and 8 to 11 digits.
pub fn cqc_location_id() -> Object {
    string(10, 24)
        .pattern(Some(r"^ *1-[0-9]{8,11} *$"))
        .description(Some("The CQC location ID: `1-` and 8 to 11 digits (R-P4)."))
        .examples([serde_json::json!("1-1002733005")])
        .build()
}

/// A CQC contact ID: opaque, compared without spaces and case.
pub fn cqc_contact_id() -> Object {
    string(1, 2 * CqcContactId::MAX_LENGTH)
        .pattern(Some(r"^[ -~]+$"))
        .description(Some(
            "The practice's CQC contact ID (the registered manager's ID), as on CQC correspondence; case and spaces do not matter.",
        ))
        .examples([serde_json::json!("CON-DEMO-0101")])
        .build()
}

/// A practice's name as the applicant gives it (route B).
pub fn practice_name() -> Object {
    string(1, PracticeName::MAX_LENGTH).examples([serde_json::json!("Sample Dental Care")]).build()
}

/// A one-time passcode (R-O2), in any case, with or without spaces or hyphens.
pub fn passcode() -> Object {
    string(8, 32)
        .pattern(Some(r"^[A-Za-z0-9 -]+$"))
        .description(Some("The one-time passcode, in any case, with or without spaces or hyphens (R-O2)."))
        .examples([serde_json::json!("7KQ4-M2XD")])
        .build()
}

/// A password as typed: never trimmed, at most 1024 characters (R-L2).
pub fn password() -> Object {
    string(1, domain::password::MAX_LENGTH).examples([serde_json::json!("plinth marmalade oboe lantern")]).build()
}

/// An NHSmail username, with or without the mail domain.
pub fn username() -> Object {
    string(1, Email::MAX_LENGTH).examples([serde_json::json!("david.smith")]).build()
}

/// An answer to a security question (R-L1).
pub fn security_answer() -> Object {
    string(1, 200).examples([serde_json::json!("Biscuit")]).build()
}

/// The 8-digit password reset code sent by text message (R-L7).
pub fn reset_code() -> Object {
    string(8, 32)
        .pattern(Some(r"^[0-9 -]+$"))
        .description(Some("The code from the text message: 8 digits, spaces and hyphens ignored."))
        .examples([serde_json::json!("4821 0937")])
        .build()
}

/// A town for the shared mailbox name (R-T1, R-T2), as typed or suggested.
pub fn town() -> Object {
    string(1, 100).examples([serde_json::json!("Wimbledon")]).build()
}

/// A reason in people's words; line breaks allowed.
pub fn reason() -> Object {
    string(1, 1000).examples([serde_json::json!("Left the practice")]).build()
}

/// An id this service issued.
pub fn id() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .max_length(Some(36))
        .build()
}

/// A page cursor this service issued.
pub fn cursor() -> Object {
    string(1, 200).pattern(Some(r"^[A-Za-z0-9_-]+$")).build()
}

/// A member's title, or `null` to clear it (R-R4).
pub fn title_or_null() -> Object {
    let mut values: Vec<serde_json::Value> =
        domain::member::Title::ALL.iter().map(|t| serde_json::Value::from(t.as_str())).collect();
    values.push(serde_json::Value::Null);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .description(Some("A title from the list, or `null` to clear it (R-R4)."))
        .build()
}

/// A string that can only be `value` (a discriminator of a `oneOf`).
pub fn one_value<T: serde::Serialize>(value: T) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some([serde_json::to_value(value).unwrap_or_default()]))
        .build()
}

/// A body that is one of several named schemas, chosen by the value of `property`.
pub fn tagged_one_of(
    property: &str,
    branches: &[(&str, &str)],
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{Discriminator, OneOfBuilder};
    use utoipa::openapi::{Ref, RefOr};
    let mut one_of =
        OneOfBuilder::new().description(Some(description)).discriminator(Some(Discriminator::with_mapping(
            property,
            branches.iter().map(|(value, name)| (*value, format!("#/components/schemas/{name}"))),
        )));
    for (_, name) in branches {
        one_of = one_of.item(RefOr::Ref(Ref::from_schema_name(*name)));
    }
    RefOr::T(utoipa::openapi::schema::Schema::OneOf(one_of.build()))
}

#[cfg(test)]
mod tests {
    //! The boundary lets a value through to the domain's parser when only a "soft" rule (a
    //! pattern, a minimum length) refuses it, trusting the parser to refuse it too. These
    //! properties hold that trust: whatever a parser accepts, its field schema accepts.
    use super::*;
    use domain::contact::UkMobile;
    use domain::identifiers::{CqcLocationId, OdsCode};
    use domain::postcode::Postcode;
    use proptest::prelude::*;

    fn accepts(schema: Object, value: &str) -> bool {
        let schema = serde_json::to_value(schema).unwrap();
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .unwrap()
            .is_valid(&serde_json::Value::from(value))
    }

    /// A separator a parser might be lenient about: spaces, other white space, punctuation.
    fn separator() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", " ", "  ", "\u{a0}", "\u{2003}", "\t", "-", ".", "(", ")", "_"])
            .prop_map(str::to_owned)
    }

    /// `core` with separators put before, after and between its characters.
    fn sprinkled(core: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
        (core, prop::collection::vec(separator(), 0..24)).prop_map(|(core, seps)| {
            let mut out = String::new();
            for (i, c) in core.chars().enumerate() {
                out.push_str(seps.get(i).map_or("", String::as_str));
                out.push(c);
            }
            out.push_str(seps.last().map_or("", String::as_str));
            out
        })
    }

    proptest! {
        #[test]
        fn what_a_parser_accepts_its_schema_accepts(
            postcode_text in sprinkled("[A-Z]{1,2}[0-9]{1,2}[0-9][A-Z]{2}".prop_map(|s| s)),
            ods in sprinkled("[A-Za-z0-9]{3,10}"),
            location in sprinkled("1-[0-9]{8,11}"),
            mobile_text in sprinkled("(07[1-59][0-9]{8})|(\\+447[0-9]{9})"),
            contact in sprinkled("[A-Z0-9-]{1,20}"),
            code in sprinkled("[0-9A-HJKMNP-TV-Z]{8}"),
            reset in sprinkled("[0-9]{8}"),
            address in sprinkled("[a-z]{1,8}@[a-z]{1,8}\\.(com|org|co\\.uk)"),
        ) {
            if Postcode::parse(&postcode_text).is_ok() { prop_assert!(accepts(postcode(), &postcode_text), "postcode {postcode_text:?}"); }
            if OdsCode::parse(&ods).is_ok() { prop_assert!(accepts(ods_code(), &ods), "ods {ods:?}"); }
            if CqcLocationId::parse(&location).is_ok() { prop_assert!(accepts(cqc_location_id(), &location), "location {location:?}"); }
            if UkMobile::parse(&mobile_text).is_ok() { prop_assert!(accepts(mobile(), &mobile_text), "mobile {mobile_text:?}"); }
            if CqcContactId::parse(&contact).is_ok() { prop_assert!(accepts(cqc_contact_id(), &contact), "contact {contact:?}"); }
            if domain::passcode::Passcode::parse(&code).is_ok() { prop_assert!(accepts(passcode(), &code), "passcode {code:?}"); }
            if domain::account::ResetCode::parse(&reset).is_ok() { prop_assert!(accepts(reset_code(), &reset), "reset {reset:?}"); }
            let nhs = domain::mailbox::MailDomain::parse("nhs.net").unwrap();
            if Email::parse(&address, &nhs).is_ok() { prop_assert!(accepts(email(), &address), "email {address:?}"); }
        }

        #[test]
        fn shaped_values_parse_when_their_schema_allows_them(
            location in "1-[0-9]{8,11}", ods in "[A-Za-z0-9]{3,10}", spaces in " {0,3}",
        ) {
            let location = format!("{spaces}{location}{spaces}");
            prop_assert!(accepts(cqc_location_id(), &location) && CqcLocationId::parse(&location).is_ok());
            prop_assert!(accepts(ods_code(), &ods) && OdsCode::parse(&ods).is_ok());
        }
    }

    #[test]
    fn lenient_white_space_other_than_spaces_is_refused_by_both() {
        for input in ["SW19\u{a0}4AB", "SW19\t4AB"] {
            assert!(Postcode::parse(input).is_err() && !accepts(postcode(), input), "{input:?}");
        }
        assert!(UkMobile::parse("07700\u{a0}900123").is_err());
        assert!(UkMobile::parse("(07700) 900-123").is_ok() && accepts(mobile(), "(07700) 900-123"));
    }
}
