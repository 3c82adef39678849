//! Request and response types, with their OpenAPI schemas, apart from the handlers that use
//! them: what the contract says, mapped to and from the use cases' own types. They are not the
//! database rows and not the domain types.

pub mod accounts;
pub mod administrators;
pub mod application;
pub mod console;
pub mod directory;
pub mod field_error;
pub mod helpdesk;
pub mod jobs;
pub mod joiners;
pub mod mailboxes;
pub mod mailshots;
pub mod members;
pub mod operations;
pub mod practice;
pub mod problem;
pub mod reference;

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    /// The example read as `T` and written back is the example: no unknown, missing or
    /// mistyped field.
    fn round_trips<T: DeserializeOwned + Serialize>(example: Value) {
        let typed: T = serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{e}: {example:#}"));
        assert_eq!(serde_json::to_value(typed).unwrap(), example);
    }

    #[test]
    fn every_example_is_a_faithful_instance_of_its_type() {
        round_trips::<crate::models::application::ApplicationView>(crate::examples::application_view());
        round_trips::<crate::models::application::CreatedApplication>(crate::examples::created_application());
        round_trips::<crate::models::practice::PracticeSearch>(crate::examples::practice_search());
        round_trips::<crate::models::members::MemberResponse>(crate::examples::member_response());
        round_trips::<crate::models::members::MemberList>(crate::examples::member_list());
        round_trips::<crate::models::helpdesk::ApplicationPage>(crate::examples::application_page());
        round_trips::<crate::models::helpdesk::AdminApplicationView>(crate::examples::admin_application_view());
    }
}
