"""Svenska: varje mening i rapporten och i notebookarnas berättande text.

Nycklarna och platshållarna är desamma som i ``en.py`` (kontrolleras av
tests/report/test_assemble_language.py); se :mod:`lcanalysis.report.narrative`.
"""

TEXT: dict[str, str] = {
    # Rapporten runt notebookarna
    "report.title": "Lärcentrumpiloten: utvärderingsrapport",
    "report.subtitle": "KTH:s lärcentrumpilot: breddad rekrytering och livslångt lärande",
    "report.banner": "Syntetiska data: siffrorna kommer från demovärlden, inte från verkliga studenter",
    "report.contents": "Innehåll",
    "report.toc_update": "Innehållsförteckningen visas när Word uppdaterar fälten (F9, eller Ja när Word frågar vid öppnandet).",
    "report.findings": "Resultat i korthet",
    "report.findings_intro": "Pilotens frågor och vad data svarar, vart och ett med sitt 95-procentiga "
                             "konfidensintervall, antalet personer (n) och jämförelsen; tabellen bakom "
                             "varje svar är länkad.",
    "report.results": "Resultat",
    "report.appendices": "Bilagor",
    "report.methods": "Bilaga A. Metod",
    "report.quality": "Bilaga B. Datakvalitet",
    "report.run": "Bilaga C. Om körningen",
    "report.failed": "Den här delen misslyckades under körningen ({error}). Det som visades före felet "
                     "finns nedan.",
    "report.missing": "Inga resultat: den här delen har inte körts utan fel i denna eller en tidigare körning.",
    "report.skipped": "Inte omkörd: resultaten är kopierade från körning {source} (indata var oförändrade).",
    "report.skipped_not_selected": "Inte omkörd: resultaten är kopierade från körning {source} (denna körning körde om andra delar).",
    "report.figure_caption": "Figur {number}. {title}",
    "report.table_caption": "Tabell {number}. {caption}",
    "report.interval": "95 % konfidensintervall",
    "report.prediction_interval": "95 % prognosintervall",
    "report.unit_points": "procentenheter",
    "report.suppressed_note": "{mark} = visas inte: {reasons}.",
    "report.more_columns": "Visas inte här: {columns}; arbetsboken tables.xlsx har alla kolumner (blad {sheet}).",
    "report.more_columns_notebook": "Visas inte här: {columns}.",
    "report.see_table": "Tabell {number}",
    "report.see_figure": "Figur {number}",
    "report.page": "Sida",
    "report.profile_title": "Lärcentrum {centre}",
    "report.field": "Uppgift",
    "report.value": "Värde",
    "report.part": "Del",
    "report.status": "Status",
    "report.duration": "Tid (s)",
    "report.status.ok": "klar",
    "report.status.failed": "misslyckades",
    "report.status.skipped": "kopierad från en tidigare körning",
    "report.run_id": "Körning",
    "report.started": "Start (UTC)",
    "report.finished": "Rapporten skriven (UTC)",
    "report.commit": "Programversion (git-commit)",
    "report.no_commit": "ingen (inte en git-utcheckning)",
    "report.data": "Data",
    "report.synthetic_data": "syntetisk demovärld",
    "report.real_data": "riktiga data (pseudonymiserade)",
    "report.language": "Språk",
    "report.language_name": "svenska",
    "report.policy": "Röjandekontroll",
    "report.methods_text": (
        "## Data\n"
        "Registreringar och resultat ur Ladok, antagningsdata, lärcentrumens deltagarlistor, en "
        "studentenkät, registeruppföljningar av bostad och arbete samt SCB:s kommunstatistik. Personnummer "
        "kontrolleras och ersätts med nyckelbaserade pseudonymer innan något skrivs; varje rad i varje fil "
        "är redovisad (bilaga B).\n\n"
        "## Vilka som räknas\n"
        "*Nybörjare* är personer som registreras för första gången under en kohorttermin. "
        "*Lärcentrumvägen* är alla som står på ett lärcentrums deltagarlista eller är registrerade med "
        "studieformen lärcentrum; alla andra går *campusvägen*. *Förstagenerationsstudent* (UKÄ): ingen av "
        "föräldrarna har minst tre års eftergymnasial utbildning. *Äldre*: 25 år eller mer vid "
        "studiestarten. Okända värden (främst enkätbortfall) redovisas bredvid andelarna, inte i dem.\n\n"
        "## Intervall\n"
        "Andelar har Wilsonintervall, skillnader mellan andelar Newcombes intervall, kvoter Katz "
        "logaritmiska intervall och prestationsgraden ett linjäriseringsintervall med personer som kluster. "
        "Pilotens effekt på ansökningarna skattas i en kommunpanel med tvåvägs fixa effekter, med Callaways "
        "och Sant'Annas skattning för förskjuten start och med randomiseringsinferens, som håller även med "
        "få betjänade kommuner; antagandena (parallella trender, inga förväntanseffekter, inget spill) prövas "
        "med en händelsestudie och ett placebotest. Prognosen för en utbyggnad är en Poissonregression av nya "
        "studenter per lärcentrum och år med prognosintervall.\n\n"
        "## Röjandekontroll\n"
        "{disclosure_rules} Ett värde som inte visas "
        "markeras med ”..” och sitt skäl. Varje exporterad tabell granskas innan den skrivs, och de "
        "genererade meningarna bygger bara på dessa granskade tabeller.\n\n"
        "## Förbehåll\n"
        "Lärcentrumkohorterna är små: läs intervallen, inte punkterna. Kännetecken från enkäten är kända "
        "bara för dem som svarat. Utfall vars fönster inte stängts är okända, aldrig misslyckanden. "
        "Jämförelser mellan studievägarna beskriver; bara effektupplägget i del 04 syftar till ett orsakssamband."
    ),
    "report.rules": "Enligt {policy}: {rules}.",
    "report.rule.small_count": "inget antal på 1–{max} personer redovisas, och ingen andel som 1–{max} "
                               "personer saknar",
    "report.rule.rounding": "varje antal avrundas till närmaste multipel av {base}, och andelarna räknas från "
                            "de avrundade antalen",
    "report.rule.min_denominator": "ingen andel visas med färre än {min} personer bakom",
    "report.rule.extreme": "ingen andel visas där {margin} eller färre personer har (eller saknar) utfallet",
    "report.rule.secondary": "inget värde visas som ett dolt värde kan räknas fram ur (sekundär "
                             "undertryckning)",
    "report.policy_name.default": "projektets regler (som SCB:s)",
    "report.policy_name.ofs": "regler som Office for Students",
    "report.policy_name.hesa": "regler som HESA:s avrundningsmetod",
    "report.data_note": "Syntetiska data (demovärlden). Röjandekontroll: {policy}.",
    "report.data_note_real": "Röjandekontroll: {policy}.",
    "report.true": "ja",
    "report.false": "nej",
    "10_lessons_learnt.intro": "# 10 · Lärdomar: de viktigaste resultaten",
    "report.and": "och",
    # Postern
    "poster.title": "Lärcentrum: breddad rekrytering till KTH",
    "poster.strands": "Pilotens tre delar",
    "poster.method": "Metod",
    "poster.method_text": "Registreringar och resultat ur Ladok, antagningsdata, lärcentrumens deltagarlistor, "
                          "en enkät och registeruppföljningar, pseudonymiserade och tvättade med varje rad "
                          "redovisad. Andelar med Wilsonintervall, skillnader med Newcombeintervall, pilotens "
                          "effekt på ansökningar med en kommunpanel (tvåvägs fixa effekter, Callaway & "
                          "Sant'Anna, randomiseringsinferens). {disclosure_rules}",
    "poster.findings": "Resultat",
    "poster.footer": "Körning {run_id} · lcanalysis · KTH",
    # Resultat i korthet: en eller två meningar per fråga, ur körningens exporterade tabeller
    "finding.reach.question": "Vilka nådde piloten?",
    "finding.reach": "{lc_rate:.1%} av nybörjarna via lärcentrum var förstagenerationsstudenter "
                     "(95 % konfidensintervall {lc_low:.1%}–{lc_high:.1%}, n = {lc_n}), mot {campus_rate:.1%} "
                     "på campus ({campus_low:.1%}–{campus_high:.1%}, n = {campus_n}).",
    "finding.reach.mature": " {mature_rate:.1%} var 25 år eller äldre när de började (campus {mature_campus:.1%}).",
    "finding.performance.question": "Hur gick det för dem?",
    "finding.performance": "Studenterna via lärcentrum tog {lc_rate:.1%} av de poäng de registrerats på "
                           "(95 % konfidensintervall {lc_low:.1%}–{lc_high:.1%}, n = {lc_n} personer), mot "
                           "{campus_rate:.1%} på campus ({campus_low:.1%}–{campus_high:.1%}, n = {campus_n}).",
    "finding.stay.question": "Stannade de kvar?",
    "finding.stay": "Ett år efter studiestarten bodde {lc_rate:.1%} av studenterna via lärcentrum kvar i sin "
                    "hemkommun (95 % konfidensintervall {lc_low:.1%}–{lc_high:.1%}, n = {lc_n}), mot "
                    "{campus_rate:.1%} av campusstudenterna ({campus_low:.1%}–{campus_high:.1%}, n = {campus_n}).",
    "finding.effect.question": "Gav lärcentrumen fler sökande?",
    "finding.effect": "Kommuner med ett lärcentrum fick {estimate:.1f} fler sökande till KTH per 10 000 "
                      "invånare i åldern 19–64 år och år än de skulle ha fått utan (Callaway & Sant'Anna, "
                      "95 % konfidensintervall {low:.1f} till {high:.1f}; {units} kommuner, {obs} kommunår).",
    "finding.effect.randomisation": " Randomiseringsinferens ger p = {p:.3f}.",
    "finding.scaleup.question": "Vad skulle en utbyggnad ge?",
    "finding.scaleup": "Lärcentrum i de {k} kommuner med högst förväntat utfall skulle ge omkring {expected:.0f} "
                       "nya studenter per år (95 % prognosintervall {low:.0f}–{high:.0f}), enligt en modell "
                       "skattad på {obs} lärcentrumår.",
    "finding.suppressed": "{question} Svaret visas inte: gruppen är för liten för att redovisas "
                          "(röjandekontroll).",
    "finding.missing": "{question} Inget svar i denna körning: tabellen bakom svaret togs inte fram.",
    "finding.source": "Källa: {link}.",
    "finding.evidence": "Evidensstyrka: OfS typ {ofs} ({ofs_words}), nivå {sms} av 5 på Maryland Scientific "
                        "Methods Scale; {reasons}.",
    "finding.evidence_missing": "Evidensstyrka: inte bedömd i denna körning (resultattabellen togs inte fram).",
    "evidence.ofs.1": "narrativ",
    "evidence.ofs.2": "empirisk",
    "evidence.ofs.3": "kausal",
    # Ord inuti meningar
    "words.first_generation": "förstagenerationsstudenter",
    "words.outcome.applicants_per_10k": "sökande till KTH per 10 000 invånare 19–64 år",
    "words.outcome.other": "utfallet {outcome}",
    # 00 Datakvalitet
    "00_data_quality.intro": "# 00 · Datakvalitet\n\n"
        "Vad tvätten gjorde med varje rådataexport: lästa rader, behållna rader, borttagna exakta dubbletter "
        "och rader som lagts i karantän med ett skäl. Varje rad är redovisad: **rader in = rader ut + "
        "dubbletter + karantän**. Fullständigheten visar hur ofta frivilliga kolumner var ifyllda.\n\n"
        "Tabellerna beskriver bearbetningen, inte personer, och visas därför utan röjandekontroll och "
        "exporteras inte som statistik. Rader i karantän innehåller aldrig personnummer eller namn; rätta "
        "dem i källsystemet och exportera på nytt.",
    "00_data_quality.accounting": "## Radredovisning per fil",
    "00_data_quality.quarantine": "## Varför rader lades i karantän",
    "00_data_quality.aggregate_region": "SCB:s rader för riket och länen läggs undan som *summeringsregion*: "
        "de är summor, inte kommuner, och finns kvar i redovisningen så att ingen rad försvinner.",
    "00_data_quality.completeness": "## Fullständighet i de bearbetade tabellerna",
    "00_data_quality.warnings": "## Varningar vid inläsningen av filerna\n"
        "Varningarna från inläsningen (ovanliga teckenkodningar, omdöpta kolumner) listas i notebooken och "
        "i tvättrapporten.",
    "00_data_quality.note.accounting": "Rader per rådatafil: in, ut, borttagna dubbletter, karantän.",
    "00_data_quality.note.quarantine_reasons": "Rader i karantän per källa och skäl (datakontraktet definierar "
        "varje skäl).",
    "00_data_quality.note.completeness": "Kolumner med tomma värden: rader, ifyllda, andel ifyllda (kolumner "
        "som alltid är ifyllda listas inte).",
    # 01 Breddad rekrytering
    "01_widening_participation.intro": "# 01 · Breddad rekrytering: vilka når lärcentrumvägen?\n\n"
        "**Fråga.** Når lärcentrumen grupper som KTH:s campusväg sällan når: förstagenerationsstudenter, "
        "äldre studenter, förvärvsarbetande och personer från landsbygdskommuner långt från Stockholm?\n\n"
        "**Definitioner** (bilaga A). Nybörjare är personer som registreras för första gången under någon "
        "av kohortterminerna ({cohort}). Lärcentrumvägen är alla som står på ett lärcentrums deltagarlista "
        "eller är registrerade med studieformen *lärcentrum*; alla andra går campusvägen. "
        "*Förstagenerationsstudent* följer UKÄ: ingen av föräldrarna har minst tre års eftergymnasial "
        "utbildning. *Äldre*: 25 år eller mer vid studiestarten. Andelarna avser nybörjare vars värde är "
        "känt; okända (främst bortfall i enkäten) redovisas bredvid. Intervall: Wilson (andelar), "
        "Newcombe (skillnader).\n\n"
        "**Förbehåll.** Föräldrarnas utbildning och sysselsättningen kommer från enkäten och är därför "
        "kända bara för dem som svarat; om de svarande skiljer sig från bortfallet blir andelarna "
        "snedvridna. Lärcentrumkohorterna är små: läs intervallen, inte punkterna.",
    "01_widening_participation.characteristics": "## Kännetecken för breddad rekrytering per studieväg\n"
        "Varje punkt är andelen av studievägens nybörjare med kännetecknet, med sitt 95-procentiga "
        "Wilsonintervall och n.",
    "01_widening_participation.gaps": "## Skillnader mellan studievägarna\n"
        "Lärcentrum minus campus, i procentenheter med Newcombes intervall, och som kvot med ett "
        "logaritmiskt (Katz) intervall.",
    "01_widening_participation.parental_education": "## Föräldrarnas utbildning, i UKÄ:s sex nivåer",
    "01_widening_participation.benchmark": "## Jämförelsetal: om lärcentrumvägen rekryterade som campus?\n"
        "Indirekt standardisering som i det engelska Office for Students nyckeltal: det förväntade antalet "
        "förstagenerationsnybörjare om lärcentrumvägen hade campusvägens andelar inom celler av "
        "åldersgrupp × utbildningsnivå × hemkommunens SKR-grupp. Observerat minus förväntat visar vad "
        "vägen tillför utöver sin annorlunda ålders- och utbildningssammansättning.",
    "01_widening_participation.by_age": "## Förstagenerationsstudenter per åldersgrupp\n"
        "Den sammanlagda andelen står i raden och kolumnen *Alla*.",
    "01_widening_participation.note.entrants_by_route": "Nybörjare per studieväg, startterminer {cohort} "
        "(personer, första registrering).",
    "01_widening_participation.note.characteristics_by_route": "Andel nybörjare med varje kännetecken bland "
        "dem vars värde är känt, startterminer {cohort}; saknas = nybörjare med okänt värde. "
        "Wilsonintervall 95 %.",
    "01_widening_participation.note.route_gaps": "Lärcentrum minus campus, startterminer {cohort}: skillnad i "
        "procentenheter (Newcombeintervall) och kvot (Katzintervall); visas inte där någon av vägarnas "
        "celler är liten.",
    "01_widening_participation.note.parental_education": "Nybörjare efter den högst utbildade förälderns "
        "nivå (UKÄ), startterminer {cohort}; okänd ingår i nämnaren.",
    "01_widening_participation.note.benchmark_first_generation": "Observerade och förväntade "
        "förstagenerationsnybörjare på lärcentrumvägen, startterminer {cohort} (förväntat: campusandelar "
        "inom åldersgrupp × utbildningsnivå × SKR-grupp); intervallet behandlar jämförelsetalet som fast.",
    "01_widening_participation.note.first_generation_by_age": "Andel förstagenerationsstudenter per "
        "åldersgrupp och studieväg, startterminer {cohort}, med marginaler (Alla).",
    # 02 Studieresultat
    "02_study_progression.intro": "# 02 · Studieresultat: hur går det för studenterna via lärcentrum?\n\n"
        "**Definitioner** (bilaga A). Nybörjare från terminerna {cohort}. *Prestationsgrad* (UKÄ): "
        "poäng tagna under registreringsterminen och de tre ordinarie terminerna därefter, delat med "
        "registrerade poäng; intervallet tar hänsyn till att en persons registreringar hänger ihop. "
        "*Fortsättning*: registrerad igen nästa ordinarie termin och under år 2. *Avklarat basår*: 60 "
        "poäng på basåret inom fönstret; *övergång*: registrerad på ett ingenjörsprogram inom {window} "
        "ordinarie terminer.\n\n"
        "**Förbehåll.** Fönster som ännu inte stängts är okända, aldrig misslyckanden; de senaste "
        "kohorterna är därför tunna. Justerade jämförelser kontrollerar bara för det som mäts "
        "(åldersgrupp, kön, föräldrarnas utbildning, sysselsättning): de beskriver, de bevisar inte att "
        "studievägen orsakar skillnaden.",
    "02_study_progression.performance": "## Prestationsgrad per studieväg",
    "02_study_progression.continuation": "## Fortsatta studier",
    "02_study_progression.foundation_year": "## Basåret: från ansökan till ett ingenjörsprogram",
    "02_study_progression.transition": "## Tid till övergång",
    "02_study_progression.adjusted": "## Justerad jämförelse\n"
        "Logistisk regression av fortsättning till år 2 på studieväg med bakgrundsvariabler: den "
        "genomsnittliga marginaleffekten av lärcentrumvägen, med antalet observationer som användes.",
    "02_study_progression.adjusted_n": "Regressionen använde {n} nybörjare; bakgrundsvariabler som utelämnades "
        "eftersom de inte varierade: {dropped}.",
    "02_study_progression.note.performance_rate": "UKÄ:s prestationsgrad, startterminer {cohort}: poäng tagna "
        "under terminen och de tre följande ordinarie terminerna delat med registrerade poäng (andelen "
        "räknar poäng; n räknar personer); intervall för kvoter med personer som kluster.",
    "02_study_progression.note.continuation": "Registrerad igen nästa ordinarie termin och under år 2, "
        "startterminer {cohort}; saknas = fönstret ännu inte stängt.",
    "02_study_progression.note.foundation_year_outcomes": "Basårsnybörjare från terminerna {cohort}: avklarat "
        "basår (60 poäng) och övergång till ett ingenjörsprogram inom fönstret; saknas = fönstret fortfarande "
        "öppet.",
    "02_study_progression.note.adjusted_continuation": "Genomsnittlig marginaleffekt av lärcentrumvägen på "
        "fortsättning till år 2, startterminer {cohort} (logistisk regression).",
    # 03 Kompetensflykt
    "03_brain_drain.intro": "# 03 · Kompetensflykt: stannar studenterna via lärcentrum i sin region?\n\n"
        "**Definitioner** (bilaga A). För varje nybörjare: hemregionen (bostadskommunen vid ansökan), "
        "studieregionen (lärcentrumets kommun för lärcentrumvägen, Stockholm för campus) och regionen där "
        "personen bor och arbetar vid uppföljningarna ett och tre år efter studiestarten. Faggians, "
        "McCanns och Sheppards (2007) typologi delar in varje person: icke-flyttare, sen flyttare, "
        "återvändare, kvarstannare vid lärosätet, upprepad flyttare. Pendlare (bor hemma, arbetar på "
        "annan ort) redovisas skilda från flyttare. Alla startkohorter i data används, eftersom "
        "uppföljningarna kräver kohorter som är äldre än pilotens.\n\n"
        "**Förbehåll.** Den regionala nivån påverkar svaret (en flytt från Norrtälje till Stockholm är en "
        "flytt mellan kommuner men inte mellan län). Uppföljningar finns bara för personer som syns i "
        "registren; treårsuppföljningar finns ännu inte för kohorter som började efter 2023.",
    "03_brain_drain.retention": "## Kvar i hemregionen",
    "03_brain_drain.typology": "## Flyttypologin",
    "03_brain_drain.flows": "## Flöden: varifrån kom de, var studerade de, var arbetar de?\n"
        "Hemregion (Stockholms län eller övriga Sverige), studieväg och arbetsort vid uppföljningen: "
        "hemkommunen, Stockholms län (kompetensflyktens mål) eller en annan kommun. Personer utan "
        "arbetsställe vid uppföljningen räknas under diagrammet men ritas inte.",
    "03_brain_drain.not_drawn": "Inte ritade: {n} nybörjare utan arbetsställe vid uppföljningen efter {years} år.",
    "03_brain_drain.not_drawn_hidden": "Inte ritade: nybörjarna utan arbetsställe vid uppföljningen efter "
                                       "{years} år (för få för att antalet ska visas).",
    "03_brain_drain.note.retention": "Andel som bor eller arbetar i hemregionen ett och tre år efter "
        "studiestarten, och pendlare (bor hemma, arbetar på annan ort), alla startkohorter; "
        "Wilsonintervall; saknas = ingen uppföljning ännu.",
    "03_brain_drain.note.typology": "Faggian-McCann-Sheppard-typer per studieväg vid uppföljningen, alla "
        "startkohorter; saknas = kan inte klassas (ingen uppföljning).",
    # 04 Piloteffekt
    "04_pilot_effect.intro": "# 04 · Piloteffekt: gav lärcentrumen fler sökande?\n\n"
        "**Upplägg.** En kommunpanel: sökande till KTH per 10 000 invånare i åldern 19–64 år per kommun och "
        "år, där varje betjänad kommun räknas som behandlad från sitt lärcentrums första antagningsomgång. "
        "Piloten startade vid olika tidpunkter, och då kan den vanliga skattningen med tvåvägs fixa "
        "effekter bli snedvriden; den redovisas därför bredvid Callaways och Sant'Annas skattning för "
        "förskjuten start (ännu inte behandlade kommuner som kontroll) och randomiseringsinferens, som "
        "håller även med få behandlade kommuner.\n\n"
        "**Antaganden.** Parallella trender (betjänade kommuner och jämförelsekommuner hade utvecklats "
        "lika utan piloten), inga förväntanseffekter och inget spill över till jämförelsekommunerna. "
        "Händelsestudiens år före start och placebotestet prövar de två första; inget i data prövar det "
        "tredje.",
    "04_pilot_effect.panel": "Panelen har {municipalities} kommuner, varav {served} betjänas av ett lärcentrum, "
        "för åren {first}–{last}.",
    "04_pilot_effect.estimates": "## Skattningarna",
    "04_pilot_effect.event_study": "## Händelsestudie och trender före start",
    "04_pilot_effect.pretrend": "Test av att åren före start inte visar någon effekt (alla ledtermer noll): "
        "chi² = {chi2:.2f}, {df} frihetsgrader, p = {p:.3f}.",
    "04_pilot_effect.placebo": "## Placebo: en start ett år tidigare, före piloten",
    "04_pilot_effect.placebo_result": "Placeboskattning (en start ett år före den verkliga) {estimate:.2f}, "
        "randomiserings-p = {p:.3f}.",
    "04_pilot_effect.note.pilot_effect": "Effekten av ett lärcentrum på {outcome} per år, alla kommuner och "
        "år: tvåvägs fixa effekter, Callaway & Sant'Anna (bootstrap) och randomiseringsinferens; n = kommunår.",
    # 05 Lokalt näringsliv
    "05_local_industry.intro": "# 05 · Del (a): labb och praktik hos lokala företag\n\n"
        "De praktiska delarna av KTH:s digitala kurser (laborationer, praktik) hölls hos företag nära "
        "lärcentrumen, och studenterna i del (c) besökte campus. Den här delen räknar vad som genomfördes, "
        "var och hur mycket som slutfördes, och visar studenternas erfarenheter enligt enkäten (frågorna "
        "F1–F8 på en skala 1–5).\n\n"
        "**Förbehåll.** Aktivitetslistorna förs av lärcentrumen och kan vara ofullständiga; enkätsvaren "
        "kommer bara från dem som svarat.",
    "05_local_industry.survey": "## Studenternas erfarenheter",
    "05_local_industry.note.activities": "Aktiviteter per lärcentrum och typ, alla år: deltagande personer (n), "
        "tillfällen, timmar och andel genomförda.",
    "05_local_industry.note.host_organisations": "Värdföretag och värdorganisationer per kommun, alla år: "
        "personer (n) och timmar.",
    # 06 Lärcentrumprofil
    "06_learning_centre_profile.intro": "# 06 · Lärcentrumprofiler\n\n"
        "Ett lärcentrum i taget: vilka dess studenter är jämfört med campusnybörjarna och hur det går för "
        "dem. Körningen gör en profil per lärcentrum, för samma starttermer som de sammanlagda tabellerna "
        "({cohort}), så att lärcentrumens nybörjare summerar till lärcentrumvägens i de sammanlagda "
        "tabellerna (där ett lärcentrums cell inte visas blir summan av de visade cellerna mindre än totalen).\n\n"
        "**Förbehåll.** Ett enskilt lärcentrum har få studenter: många celler visas inte och intervallen "
        "är breda. Jämför lärcentrum med försiktighet.",
    "06_learning_centre_profile.centre": "## {centre}\nDelar: {strands}. Med i piloten sedan {start}.",
    "06_learning_centre_profile.note.profile": "Nybörjare vid {centre} jämförda med campusnybörjare, "
        "startterminer {cohort}: andel med varje kännetecken.",
    "06_learning_centre_profile.note.performance": "UKÄ:s prestationsgrad, {centre} mot campus, startterminer "
        "{cohort} (andelen räknar poäng; n räknar personer).",
    # 07 Utbyggnad
    "07_scale_up.intro": "# 07 · Utbyggnad: om fler kommuner hade ett lärcentrum?\n\n"
        "**Modell.** Nya studenter per lärcentrum och år, som en Poissonregression (eller negativ "
        "binomial) med den betjänade befolkningen 19–64 år som exponering, på kommunens SKR-grupp, "
        "utbildningsnivå, avstånd till Stockholm och folkmängd. Prognoserna för varje kommun utan "
        "lärcentrum har prognosintervall från simulerade koefficienter och antal. Kandidater är kommunerna "
        "utanför SKR:s grupper storstäder (A1) och större städer (B3), som redan har ett universitet eller "
        "en högskola inom räckhåll; n i diagrammet är befolkningen 19–64 år som ett lärcentrum där skulle "
        "betjäna.\n\n"
        "**Förbehåll.** Åtta lärcentrum som följts i ett till tre år är ett tunt underlag: intervallen är "
        "breda och modellen ser inte vad som får ett lärcentrum att fungera (lokala partner, personal). "
        "Lärcentrumen antas inte konkurrera om samma studenter.",
    "07_scale_up.candidates": "{n} kandidatkommuner; utelämnade: {served} som redan betjänas och {cities} i "
        "SKR-grupperna {groups}.",
    "07_scale_up.note.scale_up_scenarios": "Nya studenter per år om lärcentrum öppnades i de K främsta "
        "kommunerna, rangordnade efter förväntat utfall eller efter prioritet för breddad rekrytering; "
        "95 % prognosintervall; n = lärcentrumår som modellen skattades på.",
    # 08 Design och kostnad
    "08_design_and_cost.intro": "# 08 · Design och kostnad: vad kan en utbyggnad upptäcka, och vad kostar en student?\n\n"
        "**Statistisk styrka.** Den minsta effekt som pilotens design upptäcker med 80 % statistisk "
        "styrka (minsta detekterbara effekt, MDE) simuleras på kommunpanelens kommuner utan lärcentrum, "
        "vars verkliga utfall bär panelens brus: k av dem spelar lärcentrum, en konstant effekt läggs "
        "till från starten och randomiseringstestet (placebostarter bland kommunerna utan lärcentrum) "
        "avgör. När studievägar jämförs i en andel (fullföljt basår) följer antalet studenter som behövs "
        "per studieväg av Cohens h.\n\n"
        "**Få kluster.** Med ett tiotal betjänade kommuner är klusterrobusta t-test opålitliga; "
        "randomiseringsinferens och den vilda klusterbootstrapen under nollhypotesen (Webb-vikter) "
        "håller sig nära sin nominella nivå.\n\n"
        "**Kostnad.** Kostnadsliggaren (demovärldens är syntetisk) delad med utfallen: kostnad per "
        "deltagare, per avklarad högskolepoäng, per fullföljt basår och per ytterligare sökande som kan "
        "tillskrivas piloten, med effektens intervall medräknat och en känslighetsanalys; för kandidater "
        "till en utbyggnad den förväntade kostnaden per förväntad ny student. Metod och källor: bilaga A.",
    "08_design_and_cost.few_clusters": "## Pilotens skattning, med inferens som håller när få kommuner "
        "är behandlade",
    "08_design_and_cost.mde": "## Minsta detekterbara effekt efter antal lärcentrum",
    "08_design_and_cost.students_needed": "## Studenter som behövs per studieväg för att upptäcka en "
        "skillnad i fullföljt basår",
    "08_design_and_cost.cost": "## Kostnad per utfall",
    "08_design_and_cost.ledger_synthetic": "Kostnadsliggaren är syntetisk (demovärldens).",
    "08_design_and_cost.scale_up": "## Utbyggnad: förväntad kostnad per förväntad ny student",
    "08_design_and_cost.note.few_cluster_inference": "Effekt på {outcome} per år: randomiseringsinferens "
        "(statistikorna från Callaway & Sant'Anna och tvåvägs fixa effekter) och den vilda "
        "klusterbootstrapen under nollhypotesen för skattningen med tvåvägs fixa effekter (Webb- och "
        "Rademacher-vikter); intervallen genom testinvertering.",
    "08_design_and_cost.note.minimum_detectable_effect": "Minsta konstanta effekt (sökande per 10 000 "
        "invånare 19–64 år och år) som randomiseringstestet upptäcker med 80 % statistisk styrka på "
        "5 %-nivån, efter antal lärcentrum och antal år med data efter starten; simulerad på utfallen i "
        "kommunerna utan lärcentrum.",
    "08_design_and_cost.note.cost_per_outcome": "Kostnadsliggarens totala kostnad (kronor) under dess år "
        "delad med varje utfall: deltagare som började då, avklarade högskolepoäng på lärcentrumvägen "
        "(antal = personerna bakom dem), personer som fullföljt basåret; kostnadsnivåer som i EEF:s "
        "verktygslåda.",
    "08_design_and_cost.note.cost_per_additional_applicant": "Genomsnittlig årskostnad delad med de "
        "sökande per år som kan tillskrivas piloten (effekt per 10 000 × betjänade invånare 19–64 år / "
        "10 000); intervallet ur effektens randomiseringsintervall (obegränsat när effekten kan vara noll).",
    "08_design_and_cost.note.cost_sensitivity": "Kostnad per ytterligare sökande med 25 % lägre kostnader, "
        "bokförda kostnader och 25 % högre kostnader, och med effekten i vardera änden av sitt intervall.",
    "08_design_and_cost.note.scale_up_cost_per_student": "Förväntad kostnad per förväntad ny student via "
        "lärcentrum och år om ett lärcentrum öppnades i kommunen (ett lärcentrums genomsnittliga "
        "årskostnad i piloten delad med rekryteringsmodellens prognos; intervallet ur dess 95 % prognosintervall); "
        "de 15 kandidater med flest förväntade studenter.",
    # Changes since the last run (lcanalysis.pipeline.changes)
    "changes.title": 'Förändringar sedan förra körningen',
    "changes.compared": 'Den här körningen ({current}) jämförd med körningen {previous}.',
    "changes.run_at": '{date} kl. {time} UTC',
    "changes.first": 'Det finns ingen tidigare avslutad körning att jämföra med.',
    "changes.not_comparable": 'Körningarna är inte jämförbara, så deras siffror jämförs inte:',
    "changes.not_comparable.raw_dir": 'de läste olika mappar med rådata',
    "changes.not_comparable.data": 'den ena körde på den syntetiska demovärlden och den andra på riktiga data',
    "changes.not_comparable.policy": 'de körde med olika regler för röjandekontroll',
    "changes.moved": 'Huvudresultat som förändrats mer än osäkerheten',
    "changes.moved_none": 'Inget av huvudresultaten har förändrats mer än sin osäkerhet.',
    "changes.moved_other": '{n} andra indikator(er) har förändrats mer än osäkerheten (i tabellen nedan).',
    "changes.why": 'Varför: vad som ändrats mellan körningarna',
    "changes.no_causes": 'Inget har ändrats i data, definitioner, parametrar eller kod mellan körningarna.',
    "changes.data": 'Data',
    "changes.definitions": 'Definitioner',
    "changes.parameters": 'Parametrar',
    "changes.code": 'Kod',
    "changes.added": 'har lagts till',
    "changes.removed": 'har tagits bort',
    "changes.edited": 'har ändrats',
    "changes.raw_folder": 'mappen med rådata',
    "changes.data_line": '{source}: {files} {change}',
    "changes.n_settings": '{n} inställning(ar) ändrade',
    "changes.keys_unknown": 'vilka inställningar är okänt: ingen kopia av den tidigare filen',
    "changes.in_tasks": 'i',
    "changes.notebook_added": 'delen "{part}" har lagts till',
    "changes.notebook_removed": 'delen "{part}" har tagits bort',
    "changes.commits": '{n} ändring(ar) i programkoden',
    "changes.commits_unknown": 'programkoden kan ha ändrats (en körning gjordes inte från en versionshanterad kopia)',
    "changes.parameter.cohort_terms": 'kohorten (startterminer)',
    "changes.parameter.comparison": 'jämförelsegruppen',
    "changes.parameter.completion_gaps": 'skillnaderna i avklarade studier som redovisas',
    "changes.parameter.data_dir": 'mappen med bearbetade data',
    "changes.parameter.disclosure_policy": 'reglerna för röjandekontroll',
    "changes.parameter.excluded_skr_groups": 'kommungrupperna som utesluts',
    "changes.parameter.family": 'modellfamiljen',
    "changes.parameter.figures_dir": 'mappen för figurer',
    "changes.parameter.followup_years": 'uppföljningstiden i år',
    "changes.parameter.k_values": 'antalet nya lärcentrum i scenarierna',
    "changes.parameter.lang": 'rapportens språk',
    "changes.parameter.learning_centre_id": 'lärcentrumet',
    "changes.parameter.mde_centres": 'antalet lärcentrum i beräkningen av minsta påvisbara effekt',
    "changes.parameter.mde_permutations": 'permutationerna i beräkningen av minsta påvisbara effekt',
    "changes.parameter.mde_simulations": 'simuleringarna i beräkningen av minsta påvisbara effekt',
    "changes.parameter.mde_years": 'åren med data i beräkningen av minsta påvisbara effekt',
    "changes.parameter.n_bootstrap": 'antalet bootstrapurval',
    "changes.parameter.n_permutations": 'antalet permutationer',
    "changes.parameter.outcome": 'effektmodellens utfall',
    "changes.parameter.prediction_year": 'året för prognosen',
    "changes.parameter.programme_levels": 'utbildningsnivåerna som ingår',
    "changes.parameter.region_scale": 'den regionala nivån',
    "changes.parameter.report_centres": 'lärcentrumen som redovisas',
    "changes.parameter.report_years": 'åren som redovisas',
    "changes.parameter.seed": 'slumptalsfröet',
    "changes.parameter.transition_window_terms": 'terminerna som tillåts för övergången',
    "changes.parameter.other": 'en inställning i analysen',
    "changes.config.codes": 'kodlistorna',
    "changes.config.columns": 'rådatafilernas kolumndefinitioner',
    "changes.config.costs": 'pilotens kostnader',
    "changes.config.evidence": 'reglerna för att gradera evidensen',
    "changes.config.learning_centres": 'lärcentrumen och deras startdatum',
    "changes.config.programmes": 'utbildningslistan',
    "changes.config.table_layouts": 'de publicerade tabellernas uppställning',
    "changes.config.other": 'definitionsfilen {file}',
    "changes.part_unnamed": 'en del utan rubrik',
    "changes.all_table": 'Indikatorer som förändrats mer än osäkerheten',
    "changes.every_indicator": 'Alla indikatorer',
    "changes.same": '{n} andra indikator(er) är desamma i båda körningarna.',
    "changes.indicator": 'Indikator',
    "changes.previous": 'Förra',
    "changes.current": 'Nu',
    "changes.difference": 'Skillnad (95 % KI)',
    "changes.beyond": 'Mer än osäkerheten',
    "changes.yes": 'ja',
    "changes.no": 'nej',
    "changes.na": '–',
    "changes.only_previous": 'bara i förra körningen',
    "changes.only_current": 'bara i den här körningen',
    "changes.counts": 'Av {indicators} indikatorer har {beyond} förändrats mer än osäkerheten; {others}.',
    "changes.counts_all": 'Av {indicators} indikatorer har {beyond} förändrats mer än osäkerheten.',
    "changes.count_within": '{n} andra har förändrats inom sin osäkerhet eller inte alls',
    "changes.count_suppressed": '{n} är dolda i någon av körningarna',
    "changes.count_only": '{n} finns bara i en av körningarna',
    "changes.count_unjudged": '{n} saknar intervall att bedömas med',
    "changes.method": 'En skillnad är större än osäkerheten när dess 95-procentiga intervall utesluter noll: Newcombes intervall för andelar av personer, annars intervallet som återvinns ur de två körningarnas intervall. Körningsmappens fil med förändringar listar alla indikatorer.',
    "changes.history": 'Revisionshistorik för huvudindikatorerna',
    "changes.chart_title": 'Huvudindikatorerna i varje körning, med 95 % konfidensintervall',
    "changes.chart_footer": 'Körning 1–{runs}: {first} till {last}.',
    "changes.chart_hidden": 'Visas inte: {n} dolt/dolda värde(n) ({reasons}).',
    "changes.pp": 'p.e.',
    "changes.possible_causes": 'möjliga orsaker',
    "changes.no_cause": 'ingen registrerad orsak (ett steg som inte är deterministiskt?)',
}
