//! `GET /skills`: the skills catalogue.

use actix_web::{HttpResponse, get};

/// The skills catalogue; profiles may add free tags of their own.
pub const SKILLS: &[&str] = &[
    "accompanying",
    "baking",
    "childcare",
    "cooking",
    "crafts",
    "driving",
    "gardening",
    "homework_help",
    "it",
    "music",
    "translating",
];

/// The skills catalogue: tags volunteers pick and shifts are found by; free tags are allowed
/// too. Public.
#[utoipa::path(
    tag = "volunteering",
    responses((status = 200, description = "The catalogue", body = Vec<String>)),
)]
#[get("/skills")]
pub async fn list_skills() -> HttpResponse {
    HttpResponse::Ok().json(SKILLS)
}
