{#- Incremental models keyed on something other than a response: pre_hooks and conditions that keep
    them equal to a full build. -#}

{#- pre_hook: rows whose key no longer occurs in `source_relation` (a customer gone from the CRM) go;
    delete+insert alone replaces only the keys a run recomputes. -#}
{% macro delete_vanished_keys(key_column, source_relation) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key_column }} not in (
            select {{ key_column }} from {{ source_relation }} where {{ key_column }} is not null
        )
    {%- endif -%}
{%- endmacro %}

{#- The latest value of a run-stamp column in this model, as a watermark (1900 when empty). The
    column is qualified: in a model stored before the column existed it is an error naming it, not
    a reference to the outer query's column of the same name. -#}
{% macro watermark(stamp_column) -%}
    (
        select coalesce(max(stored.{{ stamp_column }}), cast('1900-01-01' as timestamp with time zone))
        from {{ this }} as stored
    )
{%- endmacro %}

{#- post_hook of int_customer_quarters: delete+insert replaced the rows of every customer it
    recomputed into at least one quarter. What is left to go: rows of a customer whose creation or
    churn moved (they were recomputed into no quarter; their rows still hold the old times), and
    rows of quarters the observation window no longer holds. -#}
{% macro delete_customer_quarters_no_longer_in_cohort() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where customer_id in (
                select stored.customer_id
                from (select distinct customer_id, created_at, churned_at from {{ this }}) as stored
                left join {{ ref('int_crm_customers') }} as crm_customers
                    on stored.customer_id = crm_customers.customer_id
                where crm_customers.created_at is distinct from stored.created_at
                    or crm_customers.churned_at is distinct from stored.churned_at
            )
            or not coalesce(
                quarter_start_date >= (select first_quarter_date from {{ ref('int_value_observation_window') }})
                and quarter_start_date <= (select last_quarter_date from {{ ref('int_value_observation_window') }}),
                false
            )
    {%- endif -%}
{%- endmacro %}

{#- The customers a customer model must recompute for its ratings: those of the ratings conformed
    since its last run (`stamp_column` holds the latest conformed_at it read), and those such a
    rating was taken from (customer_ratings keeps whom it replaced, as previous_customer_id). -#}
{% macro rerated_customers(stamp_column) -%}
    select customer_id
    from {{ ref('customer_ratings') }}
    where conformed_at > {{ watermark(stamp_column) }}
        and customer_id is not null

    union

    select previous_customer_id as customer_id
    from {{ ref('customer_ratings') }}
    where conformed_at > {{ watermark(stamp_column) }}
        and previous_customer_id is not null
{%- endmacro %}

{#- The customers a customer model must recompute for its CRM records: those of the records (rows of
    int_crm_record_owners, in the CTE named `records`) landed since its last run (`stamp_column`
    holds the latest loaded_at it read), and those such a record was taken from. -#}
{% macro customers_of_landed_records(records, stamp_column) -%}
    select customer_id
    from {{ records }}
    where loaded_at > {{ watermark(stamp_column) }}
        and customer_id is not null

    union

    select previous_customer_id as customer_id
    from {{ records }}
    where loaded_at > {{ watermark(stamp_column) }}
        and previous_customer_id is not null
{%- endmacro %}
