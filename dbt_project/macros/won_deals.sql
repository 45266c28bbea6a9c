{#- int_customer_won_deals: a stored row (alias `won_deal`) no longer holds when raw data has no
    longer that version of its deal (changed, so possibly not won or on another account any more;
    or deleted) or its account no longer is that version with that customer (moved, deleted). The
    versions compare by loaded_at: landing stamps every new version of a record. -#}
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
    without any (their rows were not replaced). -#}
{% macro delete_stale_won_deals() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as won_deal where {{ is_stale_won_deal('won_deal') }}
    {%- endif -%}
{%- endmacro %}
