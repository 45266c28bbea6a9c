{#- int_customer_won_deals: a stored row (alias `won_deal`) no longer holds when raw data has no
    longer that version of its deal (changed, so possibly not won or on another account any more)
    or its account no longer is that version with that customer (moved). The versions compare by
    loaded_at: landing stamps every new version of a record. -#}
{% macro is_stale_won_deal(won_deal) -%}
    (
        not exists (
            select 1 from {{ ref('stg_hubspot__deals') }} as deals
            where deals.source_name = {{ won_deal }}.source_name
                and deals.crm_system = {{ won_deal }}.crm_system
                and deals.crm_deal_id = {{ won_deal }}.crm_deal_id
                and deals.loaded_at = {{ won_deal }}.loaded_at
        )
        and not exists (
            select 1 from {{ ref('stg_salesforce__opportunities') }} as opportunities
            where opportunities.source_name = {{ won_deal }}.source_name
                and opportunities.crm_system = {{ won_deal }}.crm_system
                and opportunities.crm_deal_id = {{ won_deal }}.crm_deal_id
                and opportunities.loaded_at = {{ won_deal }}.loaded_at
        )
        or not exists (
            select 1 from {{ ref('int_crm_accounts') }} as crm_accounts
            where crm_accounts.source_name = {{ won_deal }}.source_name
                and crm_accounts.crm_system = {{ won_deal }}.crm_system
                and crm_accounts.crm_account_id = {{ won_deal }}.crm_account_id
                and crm_accounts.customer_id = {{ won_deal }}.customer_id
                and crm_accounts.loaded_at = {{ won_deal }}.account_loaded_at
        )
    )
{%- endmacro %}

{#- post_hook of int_customer_won_deals: delete+insert replaced every row of the customers it
    recomputed that still have a won deal; what is left to go are the stale rows of those left
    without any (their rows were not replaced). A row turns stale only when a new version of its
    deal or account lands, so only rows whose deal or account landed after the rows this run did
    not rewrite (their newest loaded_at is at most the watermark the run started from) are
    checked, not every stored row against every raw deal. -#}
{% macro delete_stale_won_deals() -%}
    {%- if is_incremental() -%}
        {%- set this_run = "cast('" ~ run_started_at.isoformat() ~ "' as timestamp with time zone)" -%}
        with

        kept_rows as (

            select
                coalesce(max(loaded_at), cast('1900-01-01' as timestamp with time zone)) as deals_watermark,
                coalesce(max(account_loaded_at), cast('1900-01-01' as timestamp with time zone)) as accounts_watermark
            from {{ this }}
            where built_at < {{ this_run }}

        ),

        candidates as materialized (

            select source_name, crm_system, crm_deal_id, crm_account_id, customer_id, loaded_at, account_loaded_at
            from {{ this }}
            where crm_deal_id in (
                    select crm_deal_id from {{ ref('stg_hubspot__deals') }}
                    where loaded_at > (select deals_watermark from kept_rows)
                    union all
                    select crm_deal_id from {{ ref('stg_salesforce__opportunities') }}
                    where loaded_at > (select deals_watermark from kept_rows)
                )
                or crm_account_id in (
                    select crm_account_id from {{ ref('int_crm_accounts') }}
                    where loaded_at > (select accounts_watermark from kept_rows)
                )

        ),

        stale as (

            select source_name, crm_system, crm_deal_id
            from candidates
            where {{ is_stale_won_deal('candidates') }}

        )

        delete from {{ this }} as won_deal
        using stale
        where won_deal.source_name = stale.source_name
            and won_deal.crm_system = stale.crm_system
            and won_deal.crm_deal_id = stale.crm_deal_id
    {%- endif -%}
{%- endmacro %}
