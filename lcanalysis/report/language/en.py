"""English: every sentence of the report and of the notebooks' narrative.

The keys and placeholders are the same as in ``sv.py`` (checked by
tests/report/test_assemble_language.py); see :mod:`lcanalysis.report.narrative`.
"""

TEXT: dict[str, str] = {
    # The report around the notebooks
    "report.title": "Learning-centre pilot: evaluation report",
    "report.subtitle": "KTH's learning-centre pilot: widening participation and lifelong learning",
    "report.banner": "Synthetic data: the numbers come from the demo world, not from real students",
    "report.contents": "Contents",
    "report.toc_update": "The contents appear when Word updates the fields (F9, or Yes when Word asks on opening).",
    "report.findings": "Findings",
    "report.findings_intro": "The pilot's questions and what the data answer, each with its 95 % interval, "
                             "the number of people (n) and the comparison; the table behind each answer is linked.",
    "report.results": "Results",
    "report.appendices": "Appendices",
    "report.methods": "Appendix A. Methods",
    "report.quality": "Appendix B. Data quality",
    "report.run": "Appendix C. About this run",
    "report.failed": "This part failed while running ({error}). What it showed before failing is below.",
    "report.missing": "No results: this part has not run successfully in this or an earlier run.",
    "report.skipped": "Not re-run: the results are copied from run {source} (the inputs had not changed).",
    "report.skipped_not_selected": "Not re-run: the results are copied from run {source} (this run re-ran other parts only).",
    "report.figure_caption": "Figure {number}. {title}",
    "report.table_caption": "Table {number}. {caption}",
    "report.interval": "95% interval",
    "report.prediction_interval": "95% prediction interval",
    "report.unit_points": "percentage points",
    "report.suppressed_note": "{mark} = not shown: {reasons}.",
    "report.more_columns": "Not shown here: {columns}; the workbook tables.xlsx has every column (sheet {sheet}).",
    "report.more_columns_notebook": "Not shown here: {columns}.",
    "report.see_table": "Table {number}",
    "report.see_figure": "Figure {number}",
    "report.page": "Page",
    "report.profile_title": "Learning centre {centre}",
    "report.field": "Field",
    "report.value": "Value",
    "report.part": "Part",
    "report.status": "Status",
    "report.duration": "Time (s)",
    "report.status.ok": "completed",
    "report.status.failed": "failed",
    "report.status.skipped": "copied from an earlier run",
    "report.run_id": "Run",
    "report.started": "Started (UTC)",
    "report.finished": "Report written (UTC)",
    "report.commit": "Program version (git commit)",
    "report.no_commit": "none (not a git checkout)",
    "report.data": "Data",
    "report.synthetic_data": "synthetic demo world",
    "report.real_data": "real data (pseudonymised)",
    "report.language": "Language",
    "report.language_name": "English",
    "report.policy": "Disclosure control",
    "report.methods_text": (
        "## Data\n"
        "Registrations and results from Ladok, admissions data, the learning centres' participant lists, a "
        "student survey, register follow-ups of residence and work, and Statistics Sweden's municipal "
        "statistics. Identity numbers are checked and replaced by keyed pseudonyms before anything is "
        "written; every row of every file is accounted for (Appendix B).\n\n"
        "## Who counts\n"
        "*Entrants* are people registered for the first time in a cohort term. The *learning-centre route* "
        "is anyone on a centre's participant list or registered with the delivery mode learning centre; "
        "everyone else is on the *campus route*. *First generation* (UKÄ): neither parent has three years or "
        "more of post-secondary education. *Mature*: 25 or older at entry. Unknown values (mostly survey "
        "non-response) are counted beside the shares, not in them.\n\n"
        "## Intervals\n"
        "Shares have Wilson score intervals, differences of shares Newcombe's hybrid score interval, ratios "
        "Katz's log interval, the performance rate a linearisation interval with people as clusters. The "
        "pilot's effect on applications is estimated in a municipality panel with two-way fixed effects, "
        "with Callaway and Sant'Anna's estimator for the staggered start, and with randomisation inference, "
        "which stays valid with few served municipalities; its assumptions (parallel trends, no "
        "anticipation, no spill-over) are checked by an event study and a placebo test. The scale-up "
        "prediction is a Poisson regression of new students per centre and year with prediction intervals.\n\n"
        "## Disclosure control\n"
        "{disclosure_rules} A value that is not shown is marked "
        "“..” with its reason. Every exported table is audited before it is written, and the generated "
        "sentences use only those audited tables.\n\n"
        "## Caveats\n"
        "Learning-centre cohorts are small: read the intervals, not the points. Survey-based characteristics "
        "are known for respondents only. Outcomes whose window has not closed are unknown, never failures. "
        "Comparisons between routes describe; only the effect design in part 04 aims at a cause."
    ),
    "report.rules": "Under {policy}: {rules}.",
    "report.rule.small_count": "no count of 1–{max} people is published, nor a rate that 1–{max} people lack",
    "report.rule.rounding": "every count is rounded to the nearest multiple of {base}, and rates are computed "
                            "from the rounded counts",
    "report.rule.min_denominator": "no rate is shown with fewer than {min} people behind it",
    "report.rule.extreme": "no rate is shown where {margin} or fewer people have (or lack) the outcome",
    "report.rule.secondary": "no value is shown from which a hidden one could be worked out (secondary "
                             "suppression)",
    "report.policy_name.default": "the project's rules (like Statistics Sweden's)",
    "report.policy_name.ofs": "rules like the Office for Students'",
    "report.policy_name.hesa": "rules like HESA's rounding methodology",
    "report.data_note": "Synthetic data (the demo world). Disclosure policy: {policy}.",
    "report.data_note_real": "Disclosure policy: {policy}.",
    "report.true": "yes",
    "report.false": "no",
    "10_lessons_learnt.intro": "# 10 · Lessons learnt: the headline evidence",
    "report.and": "and",
    # The poster
    "poster.title": "Learning centres: widening participation at KTH",
    "poster.strands": "The pilot's three strands",
    "poster.method": "Method",
    "poster.method_text": "Ladok registrations and results, admissions, the centres' participant lists, a survey "
                          "and register follow-ups, pseudonymised and cleaned with every row accounted for. "
                          "Shares with Wilson intervals, differences with Newcombe intervals, the pilot's effect "
                          "on applications with a municipality panel (two-way fixed effects, Callaway & "
                          "Sant'Anna, randomisation inference). {disclosure_rules}",
    "poster.findings": "Findings",
    "poster.footer": "Run {run_id} · lcanalysis · KTH",
    # Findings: one or two sentences per question, from the run's exported tables
    "finding.reach.question": "Whom did it reach?",
    "finding.reach": "{lc_rate:.1%} of learning-centre entrants were first-generation students (95% interval "
                     "{lc_low:.1%}–{lc_high:.1%}, n = {lc_n}), against {campus_rate:.1%} on campus "
                     "({campus_low:.1%}–{campus_high:.1%}, n = {campus_n}).",
    "finding.reach.mature": " {mature_rate:.1%} were 25 or older at entry (campus {mature_campus:.1%}).",
    "finding.performance.question": "How did they do?",
    "finding.performance": "Learning-centre students earned {lc_rate:.1%} of the credits they registered for "
                           "(95% interval {lc_low:.1%}–{lc_high:.1%}, n = {lc_n} people), against "
                           "{campus_rate:.1%} on campus ({campus_low:.1%}–{campus_high:.1%}, n = {campus_n}).",
    "finding.stay.question": "Did they stay?",
    "finding.stay": "One year after entry {lc_rate:.1%} of learning-centre students still lived in their home "
                    "municipality (95% interval {lc_low:.1%}–{lc_high:.1%}, n = {lc_n}), against "
                    "{campus_rate:.1%} of campus students ({campus_low:.1%}–{campus_high:.1%}, n = {campus_n}).",
    "finding.effect.question": "Did the centres bring more applicants?",
    "finding.effect": "Municipalities with a learning centre had {estimate:.1f} more KTH applicants per 10,000 "
                      "residents aged 19–64 per year than they would have had without one (Callaway & "
                      "Sant'Anna, 95% interval {low:.1f} to {high:.1f}; {units} municipalities, {obs} "
                      "municipality-years).",
    "finding.effect.randomisation": " Randomisation inference gives p = {p:.3f}.",
    "finding.scaleup.question": "What would a scale-up bring?",
    "finding.scaleup": "Centres in the {k} municipalities with the highest expected yield would bring about "
                       "{expected:.0f} new students a year (95% prediction interval {low:.0f}–{high:.0f}), from a "
                       "model fitted on {obs} centre-years.",
    "finding.suppressed": "{question} The answer is not shown: the group is too small to publish "
                          "(disclosure control).",
    "finding.missing": "{question} No answer in this run: the table behind it was not produced.",
    "finding.source": "Source: {link}.",
    "finding.evidence": "Strength of evidence: OfS type {ofs} ({ofs_words}), Maryland Scientific Methods "
                        "Scale level {sms} of 5; {reasons}.",
    "finding.evidence_missing": "Strength of evidence: not graded in this run (the findings table was not "
                                "produced).",
    "evidence.ofs.1": "narrative",
    "evidence.ofs.2": "empirical",
    "evidence.ofs.3": "causal",
    # Words used inside sentences
    "words.first_generation": "first-generation students",
    "words.outcome.applicants_per_10k": "KTH applicants per 10,000 residents aged 19–64",
    "words.outcome.other": "the outcome {outcome}",
    # 00 Data quality
    "00_data_quality.intro": "# 00 · Data quality\n\n"
        "What the cleaning did with every raw export: rows read, rows kept, exact duplicates removed and "
        "rows set aside in quarantine with a reason. Every row is accounted for: **rows in = rows out + "
        "duplicates + quarantined**. Completeness shows how often optional columns were filled.\n\n"
        "These tables describe the processing, not people, so they are shown without disclosure control "
        "and are not exported as statistics. Quarantined rows never hold identity numbers or names; "
        "fix them in the source system and export again.",
    "00_data_quality.accounting": "## Row accounting per file",
    "00_data_quality.quarantine": "## Why rows were quarantined",
    "00_data_quality.aggregate_region": "Statistics Sweden's national and county lines are set aside as "
        "*aggregate region*: they are totals, not municipalities, and are kept in the accounting so that "
        "no line disappears.",
    "00_data_quality.completeness": "## Completeness of the processed tables",
    "00_data_quality.warnings": "## Warnings from reading the files\n"
        "The warnings the readers gave (unusual encodings, renamed columns) are listed in the notebook "
        "and in the cleaning report.",
    "00_data_quality.note.accounting": "Rows per raw file: in, out, duplicates removed, quarantined.",
    "00_data_quality.note.quarantine_reasons": "Quarantined rows per source and reason (the data contract "
        "defines each reason).",
    "00_data_quality.note.completeness": "Columns with empty values: rows, filled, share filled (columns that "
        "are always filled are not listed).",
    # 01 Widening participation
    "01_widening_participation.intro": "# 01 · Widening participation: who does the learning-centre route reach?\n\n"
        "**Question.** Do the learning centres reach groups that KTH's campus route rarely reaches: "
        "first-generation students, mature students, people in work, people from rural municipalities "
        "far from Stockholm?\n\n"
        "**Definitions** (Appendix A). Entrants are people registered for the first time in one of the "
        "cohort terms ({cohort}). The learning-centre route is anyone on a learning centre's list or "
        "registered with delivery mode *learning centre*; everyone else is on the campus route. "
        "*First generation* follows UKÄ: neither parent has three years or more of post-secondary "
        "education. *Mature*: 25 or over at entry. Shares are among entrants whose value is known; "
        "unknowns (mostly survey non-response) are counted beside them. Intervals: Wilson (shares), "
        "Newcombe (differences).\n\n"
        "**Caveats.** Parental education and employment come from the survey, so they are known only for "
        "respondents; if respondents differ from non-respondents the shares are biased. Learning-centre "
        "cohorts are small: read intervals, not points.",
    "01_widening_participation.characteristics": "## Widening-participation characteristics by route\n"
        "Each dot is the share of a route's entrants with the characteristic, with its 95 % Wilson "
        "interval and n.",
    "01_widening_participation.gaps": "## Gaps between routes\n"
        "Learning centre minus campus, in percentage points with Newcombe's hybrid score interval, and "
        "as a ratio with a log (Katz) interval.",
    "01_widening_participation.parental_education": "## Parental education, in UKÄ's six levels",
    "01_widening_participation.benchmark": "## Benchmark: what if the learning-centre route recruited like campus?\n"
        "Indirect standardisation as in the performance indicators of the English Office for Students: "
        "the expected number of first-generation entrants if the learning-centre route had campus rates "
        "within cells of age band × programme level × the home municipality's SKR group. Observed minus "
        "expected shows what the route adds beyond its different age and programme mix.",
    "01_widening_participation.by_age": "## First generation by age band\n"
        "The overall rate is in the *All* row and column.",
    "01_widening_participation.note.entrants_by_route": "Entrants per route, entry terms {cohort} "
        "(people, first registration).",
    "01_widening_participation.note.characteristics_by_route": "Share of entrants with each characteristic "
        "among those whose value is known, entry terms {cohort}; missing = entrants whose value is "
        "unknown. Wilson 95 % intervals.",
    "01_widening_participation.note.route_gaps": "Learning centre minus campus, entry terms {cohort}: gap in "
        "percentage points (Newcombe interval) and ratio (Katz interval); not shown where either route's "
        "cell is small.",
    "01_widening_participation.note.parental_education": "Entrants by the higher-educated parent's level "
        "(UKÄ), entry terms {cohort}; unknown included in the denominator.",
    "01_widening_participation.note.benchmark_first_generation": "Observed and expected first-generation "
        "entrants on the learning-centre route, entry terms {cohort} (expected: campus rates within age "
        "band × programme level × SKR group); the interval treats the benchmark as fixed.",
    "01_widening_participation.note.first_generation_by_age": "Share first generation by age band and "
        "route, entry terms {cohort}, with margins (All).",
    # 02 Study progression
    "02_study_progression.intro": "# 02 · Study progression: how do learning-centre students do?\n\n"
        "**Definitions** (Appendix A). Entrants of the terms {cohort}. *Performance rate* (UKÄ's "
        "prestationsgrad): credits earned during the registration term and the three regular terms "
        "after it, divided by credits registered; its interval accounts for the clustering of "
        "registrations within persons. *Continuation*: registered again the next regular term, and in "
        "year 2. *Foundation-year completion*: 60 credits earned on the foundation year within the "
        "window; *transition*: registered on an engineering programme within {window} regular terms.\n\n"
        "**Caveats.** Windows that have not closed yet are unknown, never failures; recent cohorts are "
        "therefore thin. Adjusted comparisons control only for what is measured (age band, sex, parental "
        "education, employment): they describe, they do not prove that the route causes the difference.",
    "02_study_progression.performance": "## Performance rate by route",
    "02_study_progression.continuation": "## Continuation",
    "02_study_progression.foundation_year": "## The foundation year: from application to an engineering programme",
    "02_study_progression.transition": "## Time to transition",
    "02_study_progression.adjusted": "## Adjusted comparison\n"
        "Logistic regression of continuation to year 2 on route with covariates: the average marginal "
        "effect of the learning-centre route, with the number of observations used.",
    "02_study_progression.adjusted_n": "The regression used {n} entrants; covariates left out because "
        "they did not vary: {dropped}.",
    "02_study_progression.note.performance_rate": "UKÄ performance rate, entry terms {cohort}: credits "
        "earned in the term and the next three regular terms divided by credits registered (the rate "
        "counts credits; n counts people); person-clustered ratio interval.",
    "02_study_progression.note.continuation": "Registered again the next regular term and in year 2, entry "
        "terms {cohort}; missing = window not yet closed.",
    "02_study_progression.note.foundation_year_outcomes": "Foundation-year entrants of the terms {cohort}: "
        "completion (60 credits) and transition to an engineering programme within the window; missing = "
        "window still open.",
    "02_study_progression.note.adjusted_continuation": "Average marginal effect of the learning-centre "
        "route on continuation to year 2, entry terms {cohort} (logistic regression).",
    # 03 Brain drain
    "03_brain_drain.intro": "# 03 · Brain drain: do learning-centre students stay in their region?\n\n"
        "**Definitions** (Appendix A). For each entrant: the home region (municipality of residence when "
        "applying), the study region (the learning centre's municipality for the learning-centre route, "
        "Stockholm for campus) and the region of residence and of work at the follow-ups 1 and 3 years "
        "after entry. The Faggian, McCann and Sheppard (2007) typology classifies each person: "
        "non-migrant, late migrant, return migrant, university stayer, repeat migrant. Commuters (living "
        "at home, working elsewhere) are reported apart from movers. All entry cohorts in the data are "
        "used, since the follow-ups need cohorts older than the pilot's.\n\n"
        "**Caveats.** The region scale changes the answer (moving from Norrtälje to Stockholm is a move "
        "between municipalities but not between counties). Follow-ups exist only for people observed in "
        "the registers; three-year follow-ups do not exist yet for cohorts that started after 2023.",
    "03_brain_drain.retention": "## Retention in the home region",
    "03_brain_drain.typology": "## The migration typology",
    "03_brain_drain.flows": "## Flows: where did they come from, where did they study, where do they work?\n"
        "Home region (Stockholm county or the rest of Sweden), route, and place of work at the follow-up: "
        "the home municipality, Stockholm county (the brain-drain destination) or another municipality. "
        "People without a work place at the follow-up are counted below the chart, not drawn.",
    "03_brain_drain.not_drawn": "Not drawn: {n} entrants without a work place at the {years}-year follow-up.",
    "03_brain_drain.not_drawn_hidden": "Not drawn: the entrants without a work place at the {years}-year "
                                       "follow-up (too few to show their number).",
    "03_brain_drain.note.retention": "Share living or working in the home region one and three years after "
        "entry, and commuters (live at home, work elsewhere), all entry cohorts; Wilson intervals; "
        "missing = no follow-up yet.",
    "03_brain_drain.note.typology": "Faggian-McCann-Sheppard types by route at the follow-up, all entry "
        "cohorts; missing = not classifiable (no follow-up).",
    # 04 Pilot effect
    "04_pilot_effect.intro": "# 04 · Pilot effect: did the learning centres bring more applicants?\n\n"
        "**Design.** A municipality panel: KTH applicants per 10,000 residents aged 19–64 per "
        "municipality and year, with each served municipality treated from its centre's first admission "
        "round. The pilot started at different times, where the plain two-way fixed effects estimator "
        "can be biased, so it is reported beside Callaway and Sant'Anna's staggered estimator "
        "(not-yet-treated controls) and randomisation inference, which stays valid with few treated "
        "municipalities.\n\n"
        "**Assumptions.** Parallel trends (served and comparison municipalities would have moved alike "
        "without the pilot), no anticipation, and no spill-over into comparison municipalities. The "
        "event study's leads and the placebo test check the first two; nothing in the data checks the "
        "third.",
    "04_pilot_effect.panel": "The panel has {municipalities} municipalities, {served} of them served by a "
        "centre, for the years {first}–{last}.",
    "04_pilot_effect.estimates": "## The estimates",
    "04_pilot_effect.event_study": "## Event study and pre-trends",
    "04_pilot_effect.pretrend": "Test that the years before the start show no effect (leads jointly zero): "
        "chi² = {chi2:.2f}, {df} degrees of freedom, p = {p:.3f}.",
    "04_pilot_effect.placebo": "## Placebo: a start one year earlier, before the pilot",
    "04_pilot_effect.placebo_result": "Placebo estimate (a start one year before the real one) {estimate:.2f}, "
        "randomisation p = {p:.3f}.",
    "04_pilot_effect.note.pilot_effect": "Effect of a learning centre on {outcome} per year, all "
        "municipalities and years: two-way fixed effects, Callaway & Sant'Anna (bootstrap) and "
        "randomisation inference; n = municipality-years.",
    # 05 Local industry
    "05_local_industry.intro": "# 05 · Strand (a): labs and internships at local companies\n\n"
        "The hands-on parts of digital KTH courses (lab sessions, internships) were held at companies near "
        "the learning centres, and strand (c) students visited campus. This part counts what took place, "
        "where and how much of it was completed, and shows the students' experience from the survey "
        "(items F1–F8 on a 1–5 scale).\n\n"
        "**Caveats.** Activity lists are kept by the centres and may be incomplete; survey answers are "
        "from respondents only.",
    "05_local_industry.survey": "## The students' experience",
    "05_local_industry.note.activities": "Activities per learning centre and type, all years: people taking "
        "part (n), sessions, hours and share completed.",
    "05_local_industry.note.host_organisations": "Host companies and organisations per municipality, all "
        "years: people hosted (n) and hours.",
    # 06 Learning-centre profile
    "06_learning_centre_profile.intro": "# 06 · Learning-centre profile\n\n"
        "One learning centre: who its students are compared with campus entrants and how they progress. "
        "The run makes one profile per centre, for the same entry terms as the overall tables ({cohort}), "
        "so the centres' entrants add up to the learning-centre route's in the overall tables (where a "
        "centre's cell is not shown, the sum of the shown cells falls short of the total).\n\n"
        "**Caveat.** A single centre has few students: many cells are not shown, and the intervals are "
        "wide. Compare centres with care.",
    "06_learning_centre_profile.centre": "## {centre}\nStrands: {strands}. In the pilot since {start}.",
    "06_learning_centre_profile.note.profile": "{centre}'s entrants compared with campus entrants, entry "
        "terms {cohort}: share with each characteristic.",
    "06_learning_centre_profile.note.performance": "UKÄ performance rate, {centre} against campus, entry "
        "terms {cohort} (the rate counts credits; n counts people).",
    # 07 Scale-up
    "07_scale_up.intro": "# 07 · Scale-up: what if more municipalities had a learning centre?\n\n"
        "**Model.** New learning-centre students per centre and year, as a Poisson (or negative binomial) "
        "regression with the served population aged 19–64 as exposure, on the municipality's SKR group, "
        "education level, distance to Stockholm and population. Predictions for every municipality "
        "without a centre carry prediction intervals from simulated coefficients and counts. Candidates "
        "are the municipalities outside SKR's metropolitan (A1) and large-city (B3) groups, which already "
        "have a university or university college within reach; n in the chart is the population aged "
        "19–64 that a centre there would serve.\n\n"
        "**Caveats.** Eight centres observed for one to three years are a thin basis: the intervals are "
        "wide and the model cannot see what makes a centre work (local partners, staff). Centres are "
        "assumed not to compete for the same students.",
    "07_scale_up.candidates": "{n} candidate municipalities; left out: {served} already served and {cities} in "
        "the SKR groups {groups}.",
    "07_scale_up.note.scale_up_scenarios": "New learning-centre students per year if centres opened in the "
        "top K municipalities, ranked by expected yield or by widening-participation priority; 95 % "
        "prediction intervals; n = centre-years the model was fitted on.",
    # 08 Design and cost
    "08_design_and_cost.intro": "# 08 · Design and cost: what could a scale-up detect, and what does a student cost?\n\n"
        "**Power.** The smallest effect the pilot's design detects with 80 % power (the minimum "
        "detectable effect, MDE) is simulated on the municipality panel's never-served municipalities, "
        "whose real outcomes carry the panel's noise: k of them play the centres, a constant effect is "
        "added from the start, and the randomisation test (placebo starts among the never-served) "
        "decides. For route comparisons of a share (foundation-year completion), the students needed per "
        "route follow from Cohen's h.\n\n"
        "**Few clusters.** With about a dozen served municipalities, cluster-robust t tests are "
        "unreliable; randomisation inference and the wild cluster bootstrap with the null imposed (Webb "
        "weights) stay close to their nominal level.\n\n"
        "**Cost.** The cost ledger (the demo world's is synthetic) over the outcomes: cost per "
        "participant, per credit earned, per foundation-year completer and per additional applicant "
        "attributed to the pilot, with the effect's interval carried through and a sensitivity table; "
        "for scale-up candidates, the expected cost per expected new student. Methods and sources: "
        "Appendix A.",
    "08_design_and_cost.few_clusters": "## The pilot's estimate, with inference valid for few treated "
        "municipalities",
    "08_design_and_cost.mde": "## Minimum detectable effect against the number of centres",
    "08_design_and_cost.students_needed": "## Students needed per route to detect a gap in foundation-year "
        "completion",
    "08_design_and_cost.cost": "## Cost per outcome",
    "08_design_and_cost.ledger_synthetic": "The cost ledger is synthetic (the demo world's).",
    "08_design_and_cost.scale_up": "## Scale-up: expected cost per expected new student",
    "08_design_and_cost.note.few_cluster_inference": "Effect on {outcome} a year: randomisation inference "
        "(Callaway & Sant'Anna and two-way fixed effects statistics) and the wild cluster bootstrap of the "
        "two-way fixed effects estimate with the null imposed (Webb and Rademacher weights); intervals by "
        "test inversion.",
    "08_design_and_cost.note.minimum_detectable_effect": "Smallest constant effect (applicants per 10,000 "
        "residents aged 19–64 a year) that the randomisation test detects with 80 % power at the 5 % "
        "level, by number of centres and years of data after the start; simulated on the outcomes of the "
        "never-served municipalities.",
    "08_design_and_cost.note.cost_per_outcome": "Total cost in the ledger (SEK) over its years divided by "
        "each outcome: participants starting then, credits earned on the learning-centre route (count = "
        "its people), foundation-year completers; cost bands as in the EEF toolkit.",
    "08_design_and_cost.note.cost_per_additional_applicant": "Mean annual cost over the applicants a year "
        "attributed to the pilot (effect per 10,000 × served residents aged 19–64 / 10,000); interval "
        "from the effect's randomisation interval (unbounded when the effect may be zero).",
    "08_design_and_cost.note.cost_sensitivity": "Cost per additional applicant with costs 25 % lower, as "
        "booked and 25 % higher, and with the effect at either end of its interval.",
    "08_design_and_cost.note.scale_up_cost_per_student": "Expected cost per expected new learning-centre "
        "student a year if a centre opened in the municipality (mean pilot centre-year cost over the "
        "recruitment model's prediction; interval from its 95 % prediction interval); the 15 candidates "
        "with the most expected students.",
    # Changes since the last run (lcanalysis.pipeline.changes)
    "changes.title": 'Changes since the last run',
    "changes.compared": 'This run ({current}) compared with the run of {previous}.',
    "changes.run_at": '{date} at {time} UTC',
    "changes.first": 'There is no earlier finished run to compare with.',
    "changes.not_comparable": 'The two runs are not comparable, so their numbers are not compared:',
    "changes.not_comparable.raw_dir": 'they read different raw data folders',
    "changes.not_comparable.data": 'one ran on the synthetic demo world and the other on real data',
    "changes.not_comparable.policy": 'they ran under different disclosure policies',
    "changes.moved": 'Headline findings that moved beyond their uncertainty',
    "changes.moved_none": 'No headline finding moved beyond its uncertainty.',
    "changes.moved_other": '{n} other indicator(s) moved beyond their uncertainty (in the table below).',
    "changes.why": 'Why: what changed between the runs',
    "changes.no_causes": 'Nothing changed in the data, definitions, parameters or code between the two runs.',
    "changes.data": 'Data',
    "changes.definitions": 'Definitions',
    "changes.parameters": 'Parameters',
    "changes.code": 'Code',
    "changes.added": 'added',
    "changes.removed": 'removed',
    "changes.edited": 'edited',
    "changes.raw_folder": 'the raw data folder',
    "changes.data_line": '{source}: {files} {change}',
    "changes.n_settings": '{n} setting(s) changed',
    "changes.keys_unknown": 'which settings is not known: no copy of the earlier file',
    "changes.in_tasks": 'in',
    "changes.notebook_added": 'the part "{part}" was added',
    "changes.notebook_removed": 'the part "{part}" was removed',
    "changes.commits": '{n} change(s) to the program code',
    "changes.commits_unknown": 'the program code may have changed (a run was not made from a version-controlled copy)',
    "changes.parameter.cohort_terms": 'the cohort (entry terms)',
    "changes.parameter.comparison": 'the comparison group',
    "changes.parameter.completion_gaps": 'the completion gaps reported',
    "changes.parameter.data_dir": 'the folder of the processed data',
    "changes.parameter.disclosure_policy": 'the disclosure policy',
    "changes.parameter.excluded_skr_groups": 'the municipality groups left out',
    "changes.parameter.family": 'the model family',
    "changes.parameter.figures_dir": 'the figures folder',
    "changes.parameter.followup_years": 'the years of follow-up',
    "changes.parameter.k_values": 'the numbers of new centres in the scenarios',
    "changes.parameter.lang": 'the report language',
    "changes.parameter.learning_centre_id": 'the learning centre',
    "changes.parameter.mde_centres": 'the numbers of centres in the detectable-effect calculation',
    "changes.parameter.mde_permutations": 'the permutations of the detectable-effect calculation',
    "changes.parameter.mde_simulations": 'the simulations of the detectable-effect calculation',
    "changes.parameter.mde_years": 'the years of data in the detectable-effect calculation',
    "changes.parameter.n_bootstrap": 'the number of bootstrap samples',
    "changes.parameter.n_permutations": 'the number of permutations',
    "changes.parameter.outcome": 'the outcome of the effect model',
    "changes.parameter.prediction_year": 'the year of the prediction',
    "changes.parameter.programme_levels": 'the programme levels included',
    "changes.parameter.region_scale": 'the regional level',
    "changes.parameter.report_centres": 'the centres reported',
    "changes.parameter.report_years": 'the years reported',
    "changes.parameter.seed": 'the random seed',
    "changes.parameter.transition_window_terms": 'the terms allowed for the transition',
    "changes.parameter.other": 'a setting of the analysis',
    "changes.config.codes": 'the code lists',
    "changes.config.columns": 'the column definitions of the raw files',
    "changes.config.costs": 'the costs of the pilot',
    "changes.config.evidence": 'the rules for grading the evidence',
    "changes.config.learning_centres": 'the learning centres and their start dates',
    "changes.config.programmes": 'the programme list',
    "changes.config.table_layouts": 'the layouts of the published tables',
    "changes.config.other": 'the definition file {file}',
    "changes.part_unnamed": 'a part without a title',
    "changes.all_table": 'Indicators that moved beyond their uncertainty',
    "changes.every_indicator": 'Every indicator',
    "changes.same": '{n} other indicator(s) are the same in both runs.',
    "changes.indicator": 'Indicator',
    "changes.previous": 'Previous',
    "changes.current": 'Current',
    "changes.difference": 'Difference (95 % CI)',
    "changes.beyond": 'Beyond uncertainty',
    "changes.yes": 'yes',
    "changes.no": 'no',
    "changes.na": '–',
    "changes.only_previous": 'only in the previous run',
    "changes.only_current": 'only in this run',
    "changes.counts": 'Of {indicators} indicators, {beyond} moved beyond their uncertainty; {others}.',
    "changes.counts_all": 'Of {indicators} indicators, {beyond} moved beyond their uncertainty.',
    "changes.count_within": '{n} other indicator(s) moved within their uncertainty or not at all',
    "changes.count_suppressed": '{n} are hidden in one of the runs',
    "changes.count_only": '{n} are in only one of the runs',
    "changes.count_unjudged": '{n} have no interval to judge them by',
    "changes.method": 'A difference is beyond its uncertainty when its 95 % interval excludes zero: Newcombe\'s interval for proportions of people, otherwise the interval recovered from the two runs\' intervals. The run folder\'s file of changes lists every indicator.',
    "changes.history": 'Revision history of the headline indicators',
    "changes.chart_title": 'Headline indicators in each run, with 95 % intervals',
    "changes.chart_footer": 'Runs 1–{runs}: {first} to {last}.',
    "changes.chart_hidden": 'Not drawn: {n} hidden value(s) ({reasons}).',
    "changes.pp": 'pp',
    "changes.possible_causes": 'possible causes',
    "changes.no_cause": 'no recorded cause (a step that is not deterministic?)',
}
