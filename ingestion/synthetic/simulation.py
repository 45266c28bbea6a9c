"""Month-by-month simulation of customers, interactions, survey responses and deals.

Each month and quarter draws from its own random streams keyed by (seed, stream, period), and the
state it starts from depends only on earlier months, so a month's events never depend on the end
date. The window only decides which months are rendered and which rows are kept.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from ingestion.synthetic.customers import BUSINESS, CUSTOMER_TYPES, Population, draw_customers
from ingestion.synthetic.lifecycle import arrivals_expected
from ingestion.synthetic.organisation import CANCELLATION, PURCHASE
from ingestion.synthetic.records import Deals, Interactions, Responses
from ingestion.synthetic.scores import category
from ingestion.synthetic.spec import (
    AVERAGE_MONTH_DAYS,
    SECONDS_PER_DAY,
    SECONDS_PER_YEAR,
    Stream,
    epoch_seconds,
    month_bounds,
    month_first_day,
    month_index,
    rng_for,
)
from ingestion.synthetic.surveys import RELATIONAL, TRANSACTIONAL
from ingestion.synthetic.world import World

_AVERAGE_MONTH_SECONDS = AVERAGE_MONTH_DAYS * SECONDS_PER_DAY
_ID_BLOCK = 10**7  # record numbers are yyyymm * 10**7 + n, n counting from 1 within the month


@dataclass(frozen=True)
class Month:
    index: int  # year * 12 + month - 1
    responses: Responses  # answered this month, in answering order
    response_numbers: np.ndarray
    interactions: Interactions | None  # occurred this month; only when asked for
    deals: Deals | None  # closed this month


def yyyymm(index: int) -> int:
    day = month_first_day(index)
    return day.year * 100 + day.month


class Simulation:
    def __init__(self, world: World) -> None:
        self.world = world
        self.population = Population()
        self._pending = _no_responses()  # simulated, answered in a later month

    def run(self, first_output: int, last_output: int, interactions: bool) -> Iterator[Month]:
        """Simulate (once) from the simulation start through `last_output`, yielding the months
        from `first_output` on (month indices)."""
        spec = self.world.spec
        start_month = month_index(spec.simulation_start)
        self._seed_population(epoch_seconds(spec.simulation_start))
        for index in range(start_month, last_output + 1):
            yield_month = index >= first_output
            month = self._month(index, yield_month, interactions and yield_month)
            if yield_month:
                yield month

    def _seed_population(self, start: int) -> None:
        world = self.world
        rng = rng_for(world.spec.seed, Stream.INITIAL_CUSTOMERS)
        count = sum(world.target_active)
        kind = (rng.permutation(count) < world.target_active[BUSINESS]).astype(np.int8)
        tenure = rng.exponential(world.mix.initial_tenure_mean_years, count) % 25.0
        created = start - (tenure * SECONDS_PER_YEAR).astype(np.int64) - 1
        order = np.argsort(created, kind="stable")
        self._add_customers(rng, created[order], kind[order])

    def _add_customers(
        self, rng: np.random.Generator, created: np.ndarray, kind: np.ndarray
    ) -> None:
        world = self.world
        customers = draw_customers(
            rng, created, kind, world.mix, world.revenue, world.scores.customer_sd
        )
        self.population.append(customers)

    def _month(self, index: int, render: bool, interactions: bool) -> Month:
        start, end = month_bounds(index)
        seed = self.world.spec.seed
        parts = [self._pending]
        renewals = None
        if index % 3 == 0:
            quarter = index // 3
            quarter_end = month_bounds(index + 2)[1]
            active = self.population.active_at(start)
            self._churn(active, start, quarter_end, rng_for(seed, Stream.CHURN, quarter))
            if render:
                renewals = self._renewals(
                    active, start, rng_for(seed, Stream.RENEWAL_DEALS, quarter)
                )
            parts.append(
                self._relational(active, start, rng_for(seed, Stream.RELATIONAL, quarter))
            )

        first_new = self.population.size
        self._arrivals(start, end, rng_for(seed, Stream.ARRIVALS, index))
        new_customers = np.arange(first_new, self.population.size)

        transactional_rng = rng_for(seed, Stream.TRANSACTIONAL, index)
        everyday = self._everyday(start, end, transactional_rng)
        lifecycle = self._lifecycle(
            new_customers, start, end, rng_for(seed, Stream.LIFECYCLE, index)
        )
        answered = lifecycle.responded > 0
        transactional = Responses.concat(
            [everyday, _answered_as_responses(lifecycle.take(answered))]
        )
        order = np.argsort(transactional.invited, kind="stable")
        transactional = transactional.take(order)
        month_id = yyyymm(index)
        transactional = replace(
            transactional,
            interaction=_numbers(month_id, 0, len(transactional)),
            score=self._transactional_scores(transactional, transactional_rng),
        )
        parts.append(transactional)

        pool = Responses.concat(parts)
        now = pool.responded < end
        self._pending = pool.take(~now)
        emitted = pool.take(np.flatnonzero(now)[np.argsort(pool.responded[now], kind="stable")])
        self._remember_categories(emitted)

        month_interactions = None
        if interactions:
            unanswered = self._unanswered(
                start, end, rng_for(seed, Stream.OTHER_INTERACTIONS, index)
            )
            others = Interactions.concat([lifecycle.take(~answered), unanswered])
            others = others.take(np.argsort(others.occurred, kind="stable"))
            numbers = _numbers(month_id, len(transactional), len(others))
            month_interactions = Interactions.concat(
                [_responses_as_interactions(transactional), replace(others, number=numbers)]
            )
        deals = None
        if render:
            new_deals = self._new_deals(
                new_customers, index, rng_for(seed, Stream.NEW_DEALS, index)
            )
            deals = Deals.concat([renewals, new_deals]) if renewals is not None else new_deals
            deals = deals.take(np.argsort(deals.closed, kind="stable"))
            deals = replace(deals, number=_numbers(month_id, 0, len(deals)))
        return Month(
            index=index,
            responses=emitted,
            response_numbers=_numbers(month_id, 0, len(emitted)),
            interactions=month_interactions,
            deals=deals,
        )

    # --- customers ---------------------------------------------------------------------------

    def _arrivals(self, start: int, end: int, rng: np.random.Generator) -> None:
        world, population = self.world, self.population
        active = (population["created"] < start) & (population["churned"] > start)
        created, kinds = [], []
        for code in range(len(CUSTOMER_TYPES)):
            expected = arrivals_expected(
                world.target_active[code],
                int((active & (population["kind"] == code)).sum()),
                world.monthly_churn[code],
            )
            count = rng.poisson(expected * (end - start) / _AVERAGE_MONTH_SECONDS)
            created.append(rng.integers(start, end, count))
            kinds.append(np.full(count, code, np.int8))
        created_at, kind = np.concatenate(created), np.concatenate(kinds)
        order = np.argsort(created_at, kind="stable")
        self._add_customers(rng, created_at[order], kind[order])

    def _churn(self, active: np.ndarray, start: int, end: int, rng: np.random.Generator) -> None:
        population = self.population
        probability = self.world.churn.quarterly_probability(
            population["kind"][active] == BUSINESS,
            population.tenure_years(active, start),
            population["category"][active],
        )
        churns = rng.random(len(active)) < probability
        moment = rng.integers(start, end, len(active))
        population["churned"][active[churns]] = moment[churns]

    def _remember_categories(self, responses: Responses) -> None:
        """Each customer's category becomes that of their latest response (responses are in
        answering order)."""
        order = np.arange(len(responses))
        latest = np.full(self.population.size, -1)
        np.maximum.at(latest, responses.customer, order)
        last = latest[responses.customer] == order
        self.population["category"][responses.customer[last]] = category(responses.score[last])

    # --- surveys -------------------------------------------------------------------------------

    def _relational(self, active: np.ndarray, start: int, rng: np.random.Generator) -> Responses:
        """This quarter's relational survey: a sample of the customers active at its start."""
        world, population = self.world, self.population
        design = world.surveys
        invited = active[rng.random(len(active)) < design.relational_sample_share]
        count = len(invited)
        sent = start + rng.integers(0, design.relational_send_window_days * SECONDS_PER_DAY, count)
        channel_share = design.relational_channel_probabilities
        channel = rng.choice(len(channel_share), size=count, p=channel_share)
        answers = rng.random(count) < design.relational_response_rates[channel]
        responded = sent + design.response_delay_seconds(channel, rng)
        contact = rng.integers(0, population["contacts"][invited])
        latent = (
            population["latent"][invited]
            + world.scores.product_effects[population["product"][invited]]
            + world.scores.relational_offset
        )
        score = world.scores.scores(latent, rng)
        keep = answers & (responded < population["churned"][invited])
        return Responses(
            customer=invited[keep],
            contact=contact[keep],
            survey_type=np.full(keep.sum(), RELATIONAL, np.int8),
            process=np.full(keep.sum(), -1, np.int8),
            employee=np.full(keep.sum(), -1, np.int64),
            channel=channel[keep],
            invited=sent[keep],
            responded=responded[keep],
            interaction=np.zeros(keep.sum(), np.int64),
            score=score[keep],
        )

    def _everyday_customers(
        self, start: int, end: int, rate_share: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Customers and moments of a Poisson stream of everyday interactions, thinned to the share
        `rate_share` of them, in [start, end)."""
        population = self.population
        candidates = population.active_between(start, end)
        kind = population["kind"][candidates]
        customers, moments = [], []
        for code, type_name in enumerate(CUSTOMER_TYPES):
            group = candidates[kind == code]
            rate = self.world.surveys.interactions_per_month[type_name] * rate_share
            count = rng.poisson(rate * len(group) * (end - start) / _AVERAGE_MONTH_SECONDS)
            customers.append(group[rng.integers(0, max(len(group), 1), count)])
            moments.append(rng.integers(start, end, count))
        customer, moment = np.concatenate(customers), np.concatenate(moments)
        # Customers who joined or left mid-month only interact while active.
        active = (population["created"][customer] <= moment) & (
            moment < population["churned"][customer]
        )
        return customer[active], moment[active]

    def _everyday(self, start: int, end: int, rng: np.random.Generator) -> Responses:
        """Answered surveys after everyday interactions (the answered part of the Poisson stream;
        the unanswered part is drawn separately and only when interactions are written)."""
        world, population = self.world, self.population
        design = world.surveys
        customer, occurred = self._everyday_customers(start, end, design.answered_share, rng)
        count = len(customer)
        process_weight = design.process_probabilities * design.surveyed
        channel_weight = design.channel_probabilities * design.response_rates
        process = rng.choice(len(process_weight), count, p=process_weight / process_weight.sum())
        channel = rng.choice(len(channel_weight), count, p=channel_weight / channel_weight.sum())
        return Responses(
            customer=customer,
            contact=rng.integers(0, population["contacts"][customer]),
            survey_type=np.full(count, TRANSACTIONAL, np.int8),
            process=process.astype(np.int8),
            employee=world.employees.pick(process, rng.random(count)),
            channel=channel.astype(np.int8),
            invited=occurred,
            responded=occurred + design.response_delay_seconds(channel, rng),
            interaction=np.zeros(count, np.int64),
            score=np.zeros(count, np.int8),
        )

    def _lifecycle(
        self, new_customers: np.ndarray, start: int, end: int, rng: np.random.Generator
    ) -> Interactions:
        """A purchase when a customer signs up and a cancellation when one leaves, each surveyed
        and answered with the usual probabilities (responded > 0 when answered)."""
        world, population = self.world, self.population
        design = world.surveys
        churned = population["churned"]
        leavers = np.flatnonzero((churned >= start) & (churned < end))
        customer = np.concatenate([new_customers, leavers])
        process = np.r_[np.full(len(new_customers), PURCHASE), np.full(len(leavers), CANCELLATION)]
        cancel_moment = churned[leavers] - rng.integers(0, 6 * 3600, len(leavers))
        occurred = np.r_[
            population["created"][new_customers],
            np.maximum(cancel_moment, np.maximum(population["created"][leavers], start)),
        ]
        count = len(customer)
        surveyed = rng.random(count) < design.surveyed[process]
        channel_share = design.channel_probabilities
        channel = rng.choice(len(channel_share), size=count, p=channel_share)
        answered = surveyed & (rng.random(count) < design.response_rates[channel])
        responded = occurred + design.response_delay_seconds(channel, rng)
        return Interactions(
            number=np.zeros(count, np.int64),
            customer=customer,
            contact=rng.integers(0, population["contacts"][customer]),
            process=process.astype(np.int8),
            employee=world.employees.pick(process, rng.random(count)),
            occurred=occurred,
            surveyed=surveyed,
            channel=np.where(answered, channel, -1).astype(np.int8),
            responded=np.where(answered, responded, 0),
        )

    def _unanswered(self, start: int, end: int, rng: np.random.Generator) -> Interactions:
        """Everyday interactions without an answered survey (the complement of `_everyday`)."""
        world, population = self.world, self.population
        design = world.surveys
        answered = design.answered_share
        customer, occurred = self._everyday_customers(start, end, 1.0 - answered, rng)
        count = len(customer)
        surveyed_weight = design.process_probabilities * design.surveyed
        # P(surveyed | not answered) = (P(surveyed) - P(answered)) / (1 - P(answered))
        surveyed = rng.random(count) < (surveyed_weight.sum() - answered) / (1.0 - answered)
        unsurveyed_weight = design.process_probabilities * (1.0 - design.surveyed)
        surveyed_share = surveyed_weight / surveyed_weight.sum()
        unsurveyed_share = unsurveyed_weight / unsurveyed_weight.sum()
        process = np.where(
            surveyed,
            rng.choice(len(surveyed_share), count, p=surveyed_share),
            rng.choice(len(unsurveyed_share), count, p=unsurveyed_share),
        )
        return Interactions(
            number=np.zeros(count, np.int64),
            customer=customer,
            contact=rng.integers(0, population["contacts"][customer]),
            process=process.astype(np.int8),
            employee=world.employees.pick(process, rng.random(count)),
            occurred=occurred,
            surveyed=surveyed,
            channel=np.full(count, -1, np.int8),
            responded=np.zeros(count, np.int64),
        )

    def _transactional_scores(self, responses: Responses, rng: np.random.Generator) -> np.ndarray:
        world, population = self.world, self.population
        latent = (
            population["latent"][responses.customer]
            + world.scores.product_effects[population["product"][responses.customer]]
            + world.scores.process_effects[responses.process]
            + world.employees.effect[responses.employee]
        )
        return world.scores.scores(latent, rng)

    # --- revenue -------------------------------------------------------------------------------

    def _renewals(self, active: np.ndarray, start: int, rng: np.random.Generator) -> Deals:
        population, revenue = self.population, self.world.revenue
        amount = revenue.renewal_amount(
            population["base_monthly"][active],
            population.tenure_years(active, start),
            population["category"][active],
            rng,
        )
        closed = np.minimum(
            start + rng.integers(0, 3 * SECONDS_PER_DAY, len(active)),
            population["churned"][active] - 1,
        )
        return Deals(
            number=np.zeros(len(active), np.int64),
            customer=active,
            amount_cents=np.rint(amount * 100).astype(np.int64),
            created=closed - _negotiation_seconds(rng, len(active)),
            closed=closed,
        )

    def _new_deals(self, new_customers: np.ndarray, index: int, rng: np.random.Generator) -> Deals:
        """The sign-up deal: the rest of the calendar quarter, in whole months."""
        population = self.population
        closed = population["created"][new_customers]
        amount = population["base_monthly"][new_customers] * (3 - index % 3)
        return Deals(
            number=np.zeros(len(new_customers), np.int64),
            customer=new_customers,
            amount_cents=np.rint(amount * 100).astype(np.int64),
            created=closed - _negotiation_seconds(rng, len(new_customers)),
            closed=closed,
        )


def _numbers(month_id: int, already: int, count: int) -> np.ndarray:
    """Record numbers yyyymm * 10**7 + n for n = already + 1 .. already + count."""
    if already + count >= _ID_BLOCK:
        raise ValueError("more than 9,999,999 records of one kind in a month: raise spec.months")
    return month_id * _ID_BLOCK + already + 1 + np.arange(count)


def _negotiation_seconds(rng: np.random.Generator, count: int) -> np.ndarray:
    """Time from a deal's creation to its closing: one to three weeks."""
    return rng.integers(SECONDS_PER_DAY, 21 * SECONDS_PER_DAY, count)


def _no_responses() -> Responses:
    empty, small = np.zeros(0, np.int64), np.zeros(0, np.int8)
    return Responses(
        customer=empty, contact=empty, survey_type=small, process=small, employee=empty,
        channel=small, invited=empty, responded=empty, interaction=empty, score=small,
    )


def _answered_as_responses(lifecycle: Interactions) -> Responses:
    count = len(lifecycle)
    return Responses(
        customer=lifecycle.customer,
        contact=lifecycle.contact,
        survey_type=np.full(count, TRANSACTIONAL, np.int8),
        process=lifecycle.process,
        employee=lifecycle.employee,
        channel=lifecycle.channel,
        invited=lifecycle.occurred,
        responded=lifecycle.responded,
        interaction=np.zeros(count, np.int64),
        score=np.zeros(count, np.int8),
    )


def _responses_as_interactions(responses: Responses) -> Interactions:
    return Interactions(
        number=responses.interaction,
        customer=responses.customer,
        contact=responses.contact,
        process=responses.process,
        employee=responses.employee,
        occurred=responses.invited,
        surveyed=np.ones(len(responses), bool),
        channel=responses.channel,
        responded=responses.responded,
    )
