{{
    config(
        materialized='incremental',
        unique_key='response_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_backfill_window('responded_date') }}",
            "{{ delete_reconformed_responses() }}",
        ],
    )
}}

-- Every comment tagged with the themes it mentions: one row per response and theme. A comment is
-- matched against the patterns of its response's language; when that language is unknown or not in
-- the taxonomy, against every language's, and the language with the most matching themes is taken.
-- Incremental: a run tags the responses conformed since the last run (their earlier rows go first).
with

conformed_responses as (

    select * from {{ ref('int_responses_conformed') }}
    {% if is_incremental() %}
    where conformed_at > (
        select coalesce(max(conformed_at), cast('1900-01-01' as timestamp with time zone)) from {{ this }}
    )
    {% endif %}

),

theme_patterns as (

    select * from {{ ref('comment_themes') }}

),

comments as (

    select
        conformed_responses.*,
        lower(substr(trim(conformed_responses.language), 1, 2)) as given_language

    from conformed_responses
    where nullif(trim(conformed_responses.comment), '') is not null

),

taxonomy_languages as (

    select distinct language from theme_patterns

),

comments_with_language as (

    select
        comments.*,
        taxonomy_languages.language as taxonomy_language

    from comments
    left join taxonomy_languages
        on comments.given_language = taxonomy_languages.language

),

-- One scan per pattern, each pattern a constant (see comment_theme_patterns).
{%- set patterns = comment_theme_patterns() %}
matches as (

    {%- for pattern in patterns %}
    select
        response_id,
        '{{ pattern["theme"] }}' as theme,
        '{{ pattern["language"] }}' as pattern_language

    from comments_with_language
    where (taxonomy_language is null or taxonomy_language = '{{ pattern["language"] }}')
        and {{ matches_pattern('comment', "'" ~ (pattern["pattern"] | replace("'", "''")) ~ "'") }}

    {% if not loop.last %}union{% endif %}
    {%- else %}
    select response_id, theme, language as pattern_language
    from comments_with_language
    cross join theme_patterns
    where false
    {%- endfor %}

),

language_votes as (

    select
        response_id,
        pattern_language,
        row_number() over (
            partition by response_id
            order by count(*) desc, pattern_language
        ) as vote_rank

    from matches
    group by response_id, pattern_language

),

final as (

    select distinct
        comments_with_language.response_key,
        comments_with_language.response_id,
        matches.theme,
        coalesce(comments_with_language.taxonomy_language, language_votes.pattern_language)
            as comment_language,
        comments_with_language.responded_at,
        comments_with_language.responded_date,
        comments_with_language.survey_type,
        comments_with_language.product,
        comments_with_language.process,
        comments_with_language.employee_id,
        comments_with_language.customer_id,
        comments_with_language.score,
        comments_with_language.nps_category,
        comments_with_language.comment,
        comments_with_language.conformed_at

    from comments_with_language
    inner join language_votes
        on comments_with_language.response_id = language_votes.response_id
        and language_votes.vote_rank = 1
    inner join matches
        on comments_with_language.response_id = matches.response_id
        and matches.pattern_language = language_votes.pattern_language

)

select * from final
