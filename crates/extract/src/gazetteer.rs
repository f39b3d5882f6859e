//! Static word lists built from public facts: countries (with abbreviations and
//! demonyms), international bodies, news agencies and outlets, well-known companies,
//! government bodies, places, given names, role/title words and the closed word
//! classes (speech verbs, pronouns, anonymous-source nouns) the rule stages rely on.
//!
//! Everything is compiled into lookup tables once, on first use, and shared.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::OrgKind;

/// One organization known in advance.
#[derive(Debug, Clone)]
pub struct KnownOrg {
    /// Canonical name.
    pub name: &'static str,
    /// Other spellings and abbreviations (matched like the name).
    pub aliases: Vec<&'static str>,
    /// What kind of organization it is.
    pub kind: OrgKind,
}

/// Countries: `Name|alias;alias|demonym;demonym`.
const COUNTRIES: &str = "\
Afghanistan||Afghan;Afghans
Albania||Albanian
Algeria||Algerian
Argentina||Argentine;Argentinian
Armenia||Armenian
Australia||Australian;Australians
Austria||Austrian
Azerbaijan||Azerbaijani
Bahrain||Bahraini
Bangladesh||Bangladeshi
Belarus||Belarusian
Belgium||Belgian
Bolivia||Bolivian
Bosnia and Herzegovina|Bosnia|Bosnian
Brazil||Brazilian;Brazilians
Bulgaria||Bulgarian
Cambodia||Cambodian
Cameroon||Cameroonian
Canada||Canadian;Canadians
Chile||Chilean
China|People's Republic of China;PRC|Chinese
Colombia||Colombian
Croatia||Croatian
Cuba||Cuban
Cyprus||Cypriot
Czech Republic|Czechia|Czech
Denmark||Danish
Egypt||Egyptian;Egyptians
Estonia||Estonian
Ethiopia||Ethiopian
Finland||Finnish
France||French
Germany||German;Germans
Ghana||Ghanaian
Greece||Greek;Greeks
Hungary||Hungarian
India||Indian;Indians
Indonesia||Indonesian
Iran||Iranian;Iranians
Iraq||Iraqi;Iraqis
Ireland||Irish
Israel||Israeli;Israelis
Italy||Italian;Italians
Japan||Japanese
Jordan||Jordanian
Kazakhstan||Kazakh
Kenya||Kenyan
Kuwait||Kuwaiti
Latvia||Latvian
Lebanon||Lebanese
Libya||Libyan
Lithuania||Lithuanian
Malaysia||Malaysian
Mali||Malian
Mexico||Mexican;Mexicans
Moldova||Moldovan
Morocco||Moroccan
Myanmar|Burma|Burmese
Nepal||Nepali;Nepalese
Netherlands|Holland|Dutch
New Zealand||New Zealander
Nigeria||Nigerian
North Korea|DPRK|North Korean;North Koreans
Norway||Norwegian
Oman||Omani
Pakistan||Pakistani
Palestine||Palestinian;Palestinians
Peru||Peruvian
Philippines||Philippine;Filipino
Poland||Polish
Portugal||Portuguese
Qatar||Qatari
Romania||Romanian
Russia|Russian Federation|Russian;Russians
Saudi Arabia||Saudi;Saudis
Senegal||Senegalese
Serbia||Serbian
Singapore||Singaporean
Slovakia||Slovak
Slovenia||Slovenian
Somalia||Somali
South Africa||South African
South Korea|Republic of Korea|South Korean;South Koreans
Spain||Spanish
Sri Lanka||Sri Lankan
Sudan||Sudanese
Sweden||Swedish
Switzerland||Swiss
Syria||Syrian;Syrians
Taiwan||Taiwanese
Thailand||Thai
Tunisia||Tunisian
Turkey|Turkiye;Türkiye|Turkish
Ukraine||Ukrainian;Ukrainians
United Arab Emirates|UAE;U.A.E.|Emirati
United Kingdom|U.K.;UK;Britain;Great Britain|British;Briton;Britons
United States|U.S.;US;USA;U.S.A.;America;United States of America|American;Americans
Uruguay||Uruguayan
Uzbekistan||Uzbek
Venezuela||Venezuelan
Vietnam|Viet Nam|Vietnamese
Yemen||Yemeni
Zimbabwe||Zimbabwean";

/// Other organizations: `kind|Name|alias;alias`.
const ORGS: &str = "\
i|United Nations|UN;U.N.
i|UN Security Council|United Nations Security Council;U.N. Security Council;Security Council
i|UN General Assembly|United Nations General Assembly;General Assembly
i|European Union|EU;E.U.
i|European Commission|EC
i|European Parliament|
i|European Council|
i|European Central Bank|ECB
i|NATO|North Atlantic Treaty Organization;Nato
i|Arab League|League of Arab States
i|African Union|AU
i|ASEAN|Association of Southeast Asian Nations
i|World Health Organization|WHO;World Health Organisation
i|World Trade Organization|WTO
i|International Monetary Fund|IMF
i|World Bank|
i|International Atomic Energy Agency|IAEA
i|International Criminal Court|ICC
i|International Court of Justice|ICJ
i|OPEC|Organization of the Petroleum Exporting Countries
i|OSCE|Organization for Security and Co-operation in Europe
i|OECD|Organisation for Economic Co-operation and Development
i|UNICEF|
i|UNHCR|UN refugee agency;United Nations High Commissioner for Refugees
i|World Food Programme|WFP
i|International Committee of the Red Cross|ICRC;Red Cross
i|Interpol|
i|International Olympic Committee|IOC
i|G7|Group of Seven
i|G20|Group of 20
o|FIFA|
o|UEFA|
o|Amnesty International|
o|Human Rights Watch|
o|Doctors Without Borders|MSF;Médecins Sans Frontières
o|Greenpeace|
o|Premier League|
a|Agence France-Presse|AFP;Agence France Presse;France-Presse;France Presse
a|Reuters|Thomson Reuters
a|Associated Press|AP;The Associated Press;A.P.
a|Bloomberg|Bloomberg News
a|Xinhua|Xinhua News Agency;New China News Agency
a|TASS|Itar-Tass
a|RIA Novosti|RIA
a|Interfax|
a|Kyodo News|Kyodo
a|Jiji Press|Jiji
a|Yonhap|Yonhap News Agency
a|Anadolu Agency|Anadolu
a|ANSA|
a|EFE|
a|Deutsche Presse-Agentur|dpa;DPA
a|Press Association|PA;PA Media
a|Press Trust of India|PTI
a|Australian Associated Press|AAP
a|Canadian Press|
a|United Press International|UPI
a|Islamic Republic News Agency|IRNA
a|Syrian Arab News Agency|SANA
a|Saudi Press Agency|SPA
a|Korean Central News Agency|KCNA
a|Dow Jones|Dow Jones Newswires
n|The Guardian|Guardian;the Guardian
n|BBC|British Broadcasting Corporation;BBC News
n|The New York Times|New York Times;NYT
n|The Washington Post|Washington Post
n|The Wall Street Journal|Wall Street Journal;WSJ
n|Financial Times|FT
n|The Economist|Economist
n|CNN|
n|Fox News|
n|NBC News|NBC
n|CBS News|CBS
n|ABC News|ABC
n|NPR|National Public Radio
n|Al Jazeera|
n|Al Arabiya|
n|Sky News|
n|Der Spiegel|Spiegel
n|Le Monde|
n|Le Figaro|
n|El País|El Pais
n|Frankfurter Allgemeine Zeitung|FAZ
n|Süddeutsche Zeitung|
n|The Times|
n|The Daily Telegraph|Daily Telegraph;The Telegraph;Telegraph
n|The Independent|
n|Daily Mail|
n|Politico|
n|Axios|
n|Nikkei|Nikkei Asia
n|South China Morning Post|SCMP
n|Global Times|
n|China Daily|
n|People's Daily|
n|The Hindu|
n|Times of India|
n|Haaretz|
n|Times of Israel|The Times of Israel
n|Asahi Shimbun|Asahi
n|Yomiuri Shimbun|Yomiuri
n|Los Angeles Times|LA Times
n|USA Today|
n|Deutsche Welle|DW
n|France 24|
n|Euronews|
n|RT|Russia Today
n|Kommersant|
n|Izvestia|
g|U.S. State Department|State Department;US State Department;Department of State
g|Pentagon|U.S. Department of Defense;Department of Defense;Defense Department
g|NASA|National Aeronautics and Space Administration
g|White House|
g|Kremlin|
g|U.S. Congress|Congress
g|Downing Street|
g|Bundestag|
g|Federal Reserve|Fed;U.S. Federal Reserve
g|Bank of England|
g|Bank of Japan|BOJ
g|People's Bank of China|PBOC
g|Foreign Office|
g|Home Office|
g|FBI|Federal Bureau of Investigation
g|CIA|Central Intelligence Agency
g|Food and Drug Administration|FDA
g|Centers for Disease Control and Prevention|CDC
g|Securities and Exchange Commission|SEC
g|Justice Department|Department of Justice;DOJ
g|U.S. Treasury|Treasury Department;Treasury
m|Israel Defense Forces|IDF
m|People's Liberation Army|PLA
m|Free Syrian Army|FSA
p|Hezbollah|
p|Hamas|
p|Taliban|
p|Islamic State|ISIS;ISIL
p|Al-Qaeda|al Qaeda;al-Qaeda
p|Democratic Party|
p|Republican Party|GOP
p|Labour Party|
p|Conservative Party|
p|Chinese Communist Party|Communist Party;CCP
p|Christian Democratic Union|CDU
p|Social Democratic Party|SPD
c|Google|Alphabet
c|Meta|Facebook
c|Apple|
c|Microsoft|
c|Amazon|
c|Tesla|
c|Nvidia|
c|Samsung|Samsung Electronics
c|Toyota|
c|Volkswagen|VW
c|Siemens|
c|Shell|
c|BP|
c|ExxonMobil|Exxon
c|Boeing|
c|Airbus|
c|Pfizer|
c|Moderna|
c|AstraZeneca|
c|Novartis|
c|Goldman Sachs|
c|JPMorgan Chase|JPMorgan
c|Deutsche Bank|
c|HSBC|
c|Barclays|
c|Alibaba|
c|Tencent|
c|Huawei|
c|TikTok|
c|ByteDance|
c|OpenAI|
c|Intel|
c|IBM|
c|Netflix|
c|Sony|
c|Nestlé|Nestle
c|Unilever|
c|Gazprom|
c|Saudi Aramco|Aramco
c|Uber|
c|SpaceX|";

/// Places that are not organizations (cities, regions, sub-national units).
const PLACES: &str = "Vienna Geneva Paris London Berlin Brussels Moscow Beijing Shanghai Tokyo Seoul \
Washington New_York Los_Angeles San_Francisco Chicago Boston Denver Frankfurt Rome Madrid Lisbon Athens \
Istanbul Ankara Tehran Baghdad Damascus Aleppo Homs Idlib Beirut Cairo Jerusalem Tel_Aviv Gaza Riyadh Jeddah \
Dubai Abu_Dhabi Doha Kabul Islamabad New_Delhi Delhi Mumbai Bangkok Jakarta Manila Hong_Kong Taipei Sydney \
Melbourne Toronto Ottawa Montreal Vancouver Mexico_City Sao_Paulo São_Paulo Rio_de_Janeiro Buenos_Aires Lagos \
Nairobi Johannesburg Kyiv Kiev Warsaw Prague Budapest Stockholm Oslo Copenhagen Helsinki Amsterdam Rotterdam \
The_Hague Zurich Munich Hamburg Milan Barcelona Dublin Edinburgh Manchester Liverpool Birmingham Glasgow Minsk \
Tbilisi Baku Yerevan Almaty Hanoi Osaka Kyoto Busan Pyongyang Brasilia Bogota Lima Santiago Caracas Havana \
Addis_Ababa Khartoum Tripoli Tunis Algiers Rabat Casablanca Dakar Accra Kinshasa Atlanta Houston Dallas Austin \
Seattle Miami Philadelphia Detroit Brooklyn Manhattan Silicon_Valley Wall_Street Strasbourg Luxembourg Lyon \
Marseille Nice Davos Lausanne Basel Cologne Stuttgart Naples Venice Florence Porto Seville Valencia \
Europe Asia Africa Latin_America North_America South_America Middle_East Gulf Balkans Caucasus Sahel Arctic \
Antarctica West_Bank Gaza_Strip Crimea Donbas Kashmir Golan_Heights Pacific Atlantic Mediterranean Black_Sea \
Red_Sea South_China_Sea Taiwan_Strait Scandinavia Siberia Tibet Xinjiang Guangdong Hubei Wuhan Shenzhen \
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Hawaii Idaho Illinois Indiana \
Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana \
Nebraska Nevada New_Hampshire New_Jersey New_Mexico North_Carolina North_Dakota Ohio Oklahoma Oregon \
Pennsylvania Rhode_Island South_Carolina South_Dakota Tennessee Texas Utah Vermont Virginia West_Virginia \
Wisconsin Wyoming England Scotland Wales Northern_Ireland Bavaria Catalonia Quebec Ontario";

/// Common given names (public name lists), split by the pronoun they usually take.
const MALE_NAMES: &str = "John James Robert Michael William David Richard Joseph Thomas Charles Christopher \
Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward \
Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory \
Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle \
Walter Ethan Jeremy Harold Keith Christian Roger Noah Gerald Carl Terry Sean Austin Arthur Lawrence Jesse Dylan \
Bryan Joe Jordan Billy Bruce Albert Willie Gabriel Logan Alan Juan Wayne Roy Ralph Randy Eugene Vincent Russell \
Elijah Louis Bobby Philip Johnny Tom Tony Bill Jim Mike Bob Dan Ben Sam Max Nick Chris Steve Greg Ted Fred Hugh \
Ian Neil Colin Graham Stuart Alistair Angus Rhys Owen Gareth Liam Connor Declan Sergei Sergey Vladimir Dmitry \
Dmitri Alexei Alexey Andrei Andrey Nikolai Ivan Igor Mikhail Boris Yuri Oleg Viktor Volodymyr Petro Olaf Emmanuel \
Jean Pierre Jacques Francois François Michel Philippe Nicolas Laurent Olivier Antoine Hans Klaus Jurgen Jürgen \
Wolfgang Helmut Karl Friedrich Heinrich Stefan Markus Lars Henrik Anders Erik Johan Nils Jens Staffan Mats Bjorn \
Björn Giuseppe Giovanni Marco Luca Matteo Paolo Mario Carlo Antonio Francesco Alessandro Carlos Luis Miguel Pedro \
Javier Diego Pablo Alejandro Fernando Jorge Rafael Manuel Sergio Andres Andrés Ricardo Eduardo Joao João Luiz Lula \
Mohammed Mohammad Muhammad Ahmed Ahmad Ali Hassan Hussein Omar Khalid Abdullah Abdul Ibrahim Youssef Yusuf Mustafa \
Mahmoud Bashar Hamad Tamim Faisal Salman Recep Tayyip Mehmet Emre Benjamin Yair Naftali Moshe Avi Narendra Rahul \
Amit Raj Vijay Arjun Sanjay Imran Nawaz Xi Li Wang Zhang Wei Jun Hiroshi Takeshi Kenji Shinzo Fumio Yoshihide Taro \
Kim Jae Min Seung Kwame Kofi Cyril Jacob Uhuru William Paul Abiy Nelson Jomo Bola Muhammadu Olusegun Goodluck \
Justin Stephen Pierre Anthony Scott Malcolm Kevin Jacinda Chris Rishi Keir Boris Gordon Tony Jeremy Nigel Emmanuel \
Joe Barack Donald Hunter Kamala Antony Lloyd Jake Jens Mark Olaf Volker Viktor Andrzej Mateusz Donald Petr Milos \
Aleksandar Novak Rafael Roger Andy Lionel Cristiano Neymar Kylian Erling Harry Marcus Mohamed Sadio Jurgen Pep \
Jose Carlo Thierry Didier Zinedine Arsene Alex Ole Frank Gareth Roy Steven Wayne David Jamie Gary Alan Ashley \
Oliver Jakob Matthias Tobias Florian Sebastian Maximilian Felix Leon Lukas Jonas Finn Elias Simon Martin Rudolf \
Dieter Gerhard Manfred Werner Uwe Jan Piet Pieter Joost Willem Bram Kees Dirk Sven Ole Magnus Gustav Oskar Axel \
Tomas Tomasz Piotr Pawel Krzysztof Marek Jakub Michal Ondrej Milan Zoran Dragan Goran Nikola Stefanos Kostas \
Giorgos Dimitris Yannis Alexis Kyriakos Tarek Karim Rami Walid Nabil Samir Fadi Ziad Bassam Marwan \
Hamid Hamed Reza Mehdi Hossein Javad Majid Saeed Said Musa Yusuf Chidi Emeka Chinedu Obinna Tunde Femi \
Segun Kwabena Kojo Yaw Kofi Jomo Odhiambo Otieno Kipchoge Rui Nuno Tiago Duarte Goncalo Ante Luka Ivan \
Marko Urs Beat Reto Jurg Ruedi Kenji Hiroshi Haruto Takumi Daiki Sho Ryo Min-jun Ji-hoon Seo-jun Hyun \
Arash Dariush Kaveh Babak Farid Rashid Tariq Bilal Usman Zubair Faisal Nasser Salim Jamal Anwar Idris";

const FEMALE_NAMES: &str = "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy \
Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca \
Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine \
Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren \
Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances \
Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa \
Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Hillary Kamala Nancy Condoleezza Madeleine Theresa Liz \
Angela Ursula Annalena Christine Kaja Sanna Mette Jacinda Julia Giorgia Marine Segolene Ségolène Anne Sophie \
Isabelle Nathalie Sylvie Valerie Valérie Claire Camille Chloe Chloé Lea Léa Manon Ines Inès Elena Elisa Francesca \
Chiara Giulia Valentina Alessandra Paola Carmen Lucia Lucía Sofia Sofía Isabel Ana Marta Pilar Rosa Dolores Beatriz \
Gabriela Fernanda Mariana Daniela Valeria Camila Martina Anja Katja Petra Sabine Ursula Monika Birgit Heike Karin \
Ingrid Astrid Annika Frida Greta Ingrid Sigrid Kirsten Helle Mette Tove Agnieszka Katarzyna Magdalena Ewa Olga \
Tatiana Tatyana Natalia Natalya Irina Svetlana Elena Yulia Maria Anastasia Ekaterina Valentina Lyudmila Oksana \
Yelena Marina Nadia Nadezhda Fatima Aisha Layla Leila Yasmin Yasmine Zainab Mariam Maryam Noor Rania Amira Hoda \
Priya Indira Sonia Sunita Anjali Pooja Deepa Lakshmi Mei Ling Yan Hui Xiu Yuko Yoko Keiko Sakura Yuki Haruka \
Ji-yeon Min-ji Soo-jin Ngozi Chimamanda Amina Wangari Ellen Winnie Graca Serena Venus Simone Naomi Coco Iga Aryna \
Billie Taylor Beyonce Adele Rihanna Oprah Meryl Greta Malala Dilma Cristina Michelle Claudia Xiomara Dina Dana \
Ramona Priscilla Harriet Georgina Fiona Moira Siobhan Aoife Niamh Eileen Bridget Maeve Rhiannon Bethan Carys \
Kate Lucy Ellie Megan Holly Jade Zoe Zoë Freya Isla Poppy Eva Mia Lena Hanna Leonie Lina Marlene Ilse Greet Els \
Saskia Femke Lotte Anouk Ingeborg Liv Maja Elin Tuva Linnea Ebba Elsa Alma Nora Jana Lenka Zuzana Dragana Milica \
Ivana Jelena Katerina Eleni Dimitra Despina Mila Sanne Amara Chioma Adaeze Folake Wanjiru Akosua Abena \
Nkechi Zainab Halima Hadiza Fatou Aminata Awa Salma Hiba Dalia Reem Noura Farah Yara Tala Shirin Parisa \
Nasrin Roya Golnar Ayesha Sana Hina Nadia Rana Lina Maya Mina Nina Tina Vera Zara";

/// Title words that can precede a person's name inside a capitalized run.
const TITLE_WORDS: &str = "President Vice Prime Minister Secretary Foreign Defence Defense Finance Interior Health \
Trade Justice State General Attorney Senator Sen Sen. Rep Rep. Representative Governor Gov Gov. Mayor Judge Chief \
Executive Officer Director Chairman Chairwoman Chair Commissioner Ambassador Envoy King Queen Prince Princess Crown \
Sheikh Emir Pope Cardinal Archbishop Bishop Rabbi Imam Chancellor Premier Speaker Leader Gen Gen. Lt Lt. Col Col. \
Maj Maj. Capt Capt. Sgt Sgt. Adm Adm. Admiral Colonel Captain Lieutenant Commander Marshal Dr Dr. Prof Prof. \
Professor Mr Mr. Mrs Mrs. Ms Ms. Sir Dame Lord Lady Coach Manager Inspector Detective Deputy Assistant Senior \
Acting Former Spokesman Spokeswoman District Circuit Federal CEO CFO COO Founder Co-founder Economy Education \
Environment Energy Agriculture Transport Labour Labor Culture Sports Competition Commerce Industry Development \
Security Congressman Congresswoman Councillor Councilman Councilwoman Minister-President Superintendent Constable \
Officer Sergeant Chief-Executive Head Managing Supreme Counsel Solicitor Auditor Treasurer Magistrate Justice";

/// Lower-case role words: before a name ("envoy Staffan de Mistura") or heading an
/// appositive (", a banking analyst at ...").
const ROLE_WORDS: &str = "envoy coach captain spokesman spokeswoman spokesperson substitute lawyer attorney \
analyst minister president leader chief director official counterpart striker midfielder goalkeeper defender \
forward winger manager judge prosecutor senator governor mayor ambassador economist scientist researcher \
professor doctor virologist epidemiologist chairman chairwoman founder executive secretary colleague teammate \
player driver rider champion defendant plaintiff witness activist campaigner author novelist writer journalist \
reporter editor correspondent commentator historian expert engineer investor trader strategist adviser advisor \
aide negotiator diplomat lawmaker legislator candidate rival opponent referee umpire physician surgeon nurse \
astronomer physicist chemist biologist geologist climatologist ecologist psychologist sociologist architect \
designer artist singer actor actress producer owner partner counsel officer commander general colonel soldier \
pilot astronaut ceo cfo head chancellor premier king queen prince spokesperson representative deputy governor \
boss skipper veteran debutant newcomer sprinter swimmer cyclist batsman bowler midfielder fly-half playmaker \
inventor entrepreneur philanthropist economist banker mathematician statistician meteorologist oncologist \
cardiologist paediatrician pediatrician immunologist microbiologist neuroscientist geneticist archaeologist \
curator director-general secretary-general commissioner regulator chair teenager youngster compatriot \
rookie seed prodigy sophomore veteran heir nominee incumbent challenger predecessor successor barrister \
solicitor glaciologist planetary volcanologist seismologist pharmacist dentist midwife paramedic farmer \
member mp mep congressman congresswoman senator deputy lawmaker";

/// Nouns that head an anonymous source description ("a senior official", "two people familiar ...").
const ANON_HEADS: &str = "official officials spokesman spokeswoman spokesperson source sources diplomat diplomats \
analyst analysts expert experts people person aide aides insider insiders officer officers executive executives \
investigator investigators witness witnesses resident residents scientist scientists researcher researchers \
economist economists lawmaker lawmakers negotiator negotiators observers observer critics critic activists activist \
doctors doctor member members representative representatives employee employees worker workers trader traders \
investors investor campaigners campaigner organisers organizers organiser organizer police prosecutors prosecutor \
authorities minister ministers leaders leader envoy envoys banker bankers bosses manager managers \
engineers engineer fans supporters players player teammates colleagues relatives parents residents villagers \
protesters protestors rebels militants commanders commander soldiers staff insiders nurses nurse \
teachers teacher students student farmers farmer locals survivors families passengers drivers miners voters \
shoppers observers monitors inspectors auditors regulators judges lawyers attorneys physicians surgeons \
eyewitnesses bystanders owners shareholders directors delegates delegate envoys ministers";

/// Organization name endings: `word:kind` (kind letters as in [`ORGS`]).
const ORG_SUFFIXES: &str = "Group:o Council:i Department:g Ministry:g Army:m Navy:m Forces:m Force:m Guard:m \
Police:g League:o Bank:c Commission:g Court:g Agency:g University:o Institute:o Association:o Party:p \
Committee:o Organization:i Organisation:i Union:o Corporation:c Corp:c Corp.:c Inc:c Inc.:c Ltd:c Ltd.:c \
Technologies:c Technology:c Holdings:c Capital:c Partners:c Airlines:c Airways:c Motors:c Foundation:o Fund:o \
Board:g Authority:g Service:g Office:g Parliament:g Senate:g Congress:g Assembly:g Federation:o Alliance:o \
Network:c Times:n Post:n News:n Journal:n Herald:n Tribune:n Gazette:n Chronicle:n Telegraph:n Daily:n \
Club:o FC:o City:o United:o Rovers:o Athletic:o Wanderers:o Albion:o Hospital:o Laboratories:c Labs:c \
Systems:c Energy:c Pharmaceuticals:c Pharma:c Bancorp:c Centre:o Center:o Cabinet:g Government:g \
Administration:g Secretariat:i Tribunal:g Front:p Movement:p Brigade:m Brigades:m Battalion:m Regiment:m \
Industries:c Group.:o Company:c Co:c Co.:c Electric:c Media:c Studios:c Entertainment:c Bureau:g \
Prosecutor's:g Commissariat:g Observatory:o Society:o Institution:o Academy:o College:o School:o \
Program:o Programme:o Initiative:o Coalition:p Council.:i";

/// Last words that make a capitalized run a law, event or thing, not an organization.
const NON_ORG_ENDINGS: &str = "Act Amendment Dialogue Summit Forum Conference Games Cup Treaty Agreement Accord \
Convention Day Week War Prize Award Awards Festival Bill Law Plan Doctrine Protocol Declaration Charter Olympics \
Championship Championships Open Marathon Grand Prix Series Tour Trophy Stadium Arena Park Square Street Avenue \
Road Bridge Airport Station Island Islands River Mountains Valley Province Region State Province Strait Sea Ocean \
Lake Desert Square Palace Hall Building Tower Report Index Project Mission Operation Crisis Era Age Revolution \
Era Party's Year Season Trial Case Rule Rules Code Standard Directive Regulation Budget Strategy Framework \
Telescope Satellite Probe Slam Final Finals Semifinal Quarterfinal Derby Classic Rally";

/// Months, weekdays and other capitalized words that never start a name.
const CALENDAR: &str = "January February March April May June July August September October November December \
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter Ramadan Eid Hanukkah Diwali \
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec";

/// Capitalized function words (sentence starters, discourse markers) that are not names.
const FUNCTION_WORDS: &str = "The A An In On At Of For To From By With Without About After Before During Since \
Until Under Over Between Among Through Despite Although Though While When Where Why How What Which Who Whom \
Whose If Unless Because As And But Or Nor So Yet Still However Meanwhile Moreover Furthermore Nevertheless \
Nonetheless Instead Also Then Now Today Tomorrow Yesterday This That These Those It Its He She They We I You \
His Her Their Our My Your Him Them Us Me There Here Some Many Most Several Few All Both Each Every Any No Not \
One Two Three Four Five Six Seven Eight Nine Ten Top Major Last Next Other Another Such Only Even Just Already \
Asked Speaking According Senior Earlier Later Shares Officials Developers Supporters Critics \
Analysts Experts Residents Police Parents Students Investors Overall Indeed Thus Hence Perhaps Finally First \
Second Third Particularly Especially Mr Mrs Ms Dr Let Do Does Did Is Are Was Were Be Has Have Had Will Would \
Can Could Should Must May Might Shall Like Unlike Please Thanks Yes Okay Ok Oh Well";

/// Speech verbs that introduce a clause (reported speech) or a quotation.
const CLAUSE_VERBS: &str = "said says say told tells tell added adds stated noted notes warned warns argued argues \
claimed claims insisted insists explained explains reported reports announced announces opined opines urged urges \
wrote writes acknowledged acknowledges admitted admits confirmed confirms declared declares asserted asserts \
stressed stresses cautioned cautions predicted predicts replied replies responded complained complains conceded \
concedes recalled recalls observed remarked suggested suggests maintained maintains contended emphasised \
emphasized revealed reveals alleged alleges testified vowed vows promised promises pledged pledges disclosed \
indicated signalled signaled concluded concludes estimated estimates believes believed thinks expects hopes \
feared fears reiterated reiterates agreed explained";

/// Verbs that frame only a quoted phrase ("called the ruling \"deeply flawed\"").
const FRAME_ONLY_VERBS: &str = "described describes called calls criticised criticized criticises criticizes \
tweeted posted commented commenting dubbed branded labelled labeled hailed praised slammed blasted welcomed \
saying adding telling calling noting warning arguing claiming insisting explaining stressing writing describing \
asking asked";

/// Verbs whose complement is a clause only when introduced by "that".
const THAT_ONLY: &str = "insisted insists urged urges believes believed thinks expects hopes feared fears agreed \
suggested suggests indicated concluded concludes estimated estimates maintained maintains promised promises \
pledged pledges vowed vows revealed reveals disclosed signalled signaled reported reports announced announces \
alleged alleges testified";

/// Words that start a clause after a speech verb and make "X said" a clause frame.
const AUXILIARIES: &str = "is are was were be been being am has have had having will would could should can \
may might must shall did does do won't wouldn't couldn't can't cannot isn't aren't wasn't weren't hasn't haven't \
hadn't didn't doesn't don't shouldn't needs need remains remain";

/// All the compiled tables.
pub struct Gazetteer {
    /// Known organizations (countries first).
    pub orgs: Vec<KnownOrg>,
    /// Lower-cased spelling (name or alias, as token sequence joined by spaces) -> org index.
    pub org_index: HashMap<String, usize>,
    /// Longest org spelling in tokens.
    pub max_org_tokens: usize,
    /// The first `country_count` entries of `orgs` are countries.
    pub country_count: usize,
    /// Demonym (lower-cased, possibly two words) -> country org index.
    pub demonyms: HashMap<String, usize>,
    /// Places (lower-cased, spaces).
    pub places: HashSet<String>,
    /// Given names (lower-cased) -> true when usually female.
    pub given_names: HashMap<String, bool>,
    titles: HashSet<String>,
    roles: HashSet<String>,
    anon_heads: HashSet<String>,
    suffixes: HashMap<String, OrgKind>,
    non_org_endings: HashSet<String>,
    calendar: HashSet<String>,
    function_words: HashSet<String>,
    clause_verbs: HashSet<String>,
    frame_only: HashSet<String>,
    that_only: HashSet<String>,
    auxiliaries: HashSet<String>,
}

fn kind_of(letter: &str) -> OrgKind {
    match letter {
        "i" => OrgKind::InternationalOrg,
        "a" => OrgKind::NewsAgency,
        "n" => OrgKind::NewsOutlet,
        "g" => OrgKind::Government,
        "m" => OrgKind::Military,
        "p" => OrgKind::PoliticalGroup,
        "c" => OrgKind::Company,
        _ => OrgKind::Other,
    }
}

fn words(list: &str) -> HashSet<String> {
    list.split_whitespace().map(|w| w.replace('_', " ").to_lowercase()).collect()
}

/// Lower-cases and joins the tokens of a spelling the way [`crate::text::tokenize`] splits it.
pub fn spelling_key(s: &str) -> String {
    let toks = crate::text::tokenize_str(s);
    toks.iter().map(|t| t.to_lowercase()).collect::<Vec<_>>().join(" ")
}

impl Gazetteer {
    fn build() -> Self {
        let mut orgs = Vec::new();
        let mut demonyms = HashMap::new();
        for line in COUNTRIES.lines() {
            let mut parts = line.split('|');
            let name = parts.next().unwrap_or_default().trim();
            if name.is_empty() {
                continue;
            }
            let aliases: Vec<&'static str> =
                parts.next().unwrap_or_default().split(';').filter(|s| !s.is_empty()).collect();
            for d in parts.next().unwrap_or_default().split(';').filter(|s| !s.is_empty()) {
                demonyms.insert(d.to_lowercase(), orgs.len());
            }
            orgs.push(KnownOrg { name, aliases, kind: OrgKind::Government });
        }
        let country_count = orgs.len();
        for line in ORGS.lines() {
            let mut parts = line.split('|');
            let kind = kind_of(parts.next().unwrap_or_default());
            let name = parts.next().unwrap_or_default().trim();
            if name.is_empty() {
                continue;
            }
            let aliases: Vec<&'static str> =
                parts.next().unwrap_or_default().split(';').filter(|s| !s.is_empty()).collect();
            orgs.push(KnownOrg { name, aliases, kind });
        }
        let mut org_index = HashMap::new();
        let mut max_org_tokens = 1;
        for (i, o) in orgs.iter().enumerate() {
            for s in std::iter::once(&o.name).chain(o.aliases.iter()) {
                let key = spelling_key(s);
                max_org_tokens = max_org_tokens.max(key.split(' ').count());
                org_index.entry(key).or_insert(i);
            }
        }
        let mut given_names = HashMap::new();
        for n in MALE_NAMES.split_whitespace() {
            given_names.insert(n.to_lowercase(), false);
        }
        for n in FEMALE_NAMES.split_whitespace() {
            given_names.entry(n.to_lowercase()).or_insert(true);
        }
        let mut suffixes = HashMap::new();
        for item in ORG_SUFFIXES.split_whitespace() {
            if let Some((w, k)) = item.rsplit_once(':') {
                suffixes.insert(w.to_lowercase(), kind_of(k));
            }
        }
        Gazetteer {
            orgs,
            org_index,
            max_org_tokens,
            country_count,
            demonyms,
            places: words(PLACES),
            given_names,
            titles: words(TITLE_WORDS),
            roles: words(ROLE_WORDS),
            anon_heads: words(ANON_HEADS),
            suffixes,
            non_org_endings: words(NON_ORG_ENDINGS),
            calendar: words(CALENDAR),
            function_words: words(FUNCTION_WORDS),
            clause_verbs: words(CLAUSE_VERBS),
            frame_only: words(FRAME_ONLY_VERBS),
            that_only: words(THAT_ONLY),
            auxiliaries: words(AUXILIARIES),
        }
    }

    /// Title word inside a capitalized run ("Minister", "Dr.").
    pub fn is_title(&self, w: &str) -> bool {
        self.titles.contains(&w.to_lowercase())
    }
    /// Lower-case role noun ("envoy", "analyst").
    pub fn is_role(&self, w: &str) -> bool {
        self.roles.contains(&w.to_lowercase())
    }
    /// Head noun of an anonymous source ("official", "people").
    pub fn is_anon_head(&self, w: &str) -> bool {
        self.anon_heads.contains(&w.to_lowercase())
    }
    /// Organization kind implied by a final word ("Ministry" -> government).
    pub fn org_suffix(&self, w: &str) -> Option<OrgKind> {
        self.suffixes.get(&w.to_lowercase()).copied()
    }
    /// Final word of laws, events and places ("Act", "Summit").
    pub fn is_non_org_ending(&self, w: &str) -> bool {
        self.non_org_endings.contains(&w.to_lowercase())
    }
    /// Month, weekday or holiday.
    pub fn is_calendar(&self, w: &str) -> bool {
        self.calendar.contains(&w.to_lowercase())
    }
    /// Capitalized word that is never a name ("However", "The").
    pub fn is_function_word(&self, w: &str) -> bool {
        self.function_words.contains(&w.to_lowercase())
    }
    /// City, region or sub-national place (lower-cased, space-joined key).
    pub fn is_place(&self, key: &str) -> bool {
        self.places.contains(key)
    }
    /// Speech verb that can introduce reported speech.
    pub fn is_clause_verb(&self, w: &str) -> bool {
        self.clause_verbs.contains(&w.to_lowercase())
    }
    /// Speech verb that only frames a quoted phrase.
    pub fn is_frame_only_verb(&self, w: &str) -> bool {
        self.frame_only.contains(&w.to_lowercase())
    }
    /// Clause verb that needs an explicit "that".
    pub fn needs_that(&self, w: &str) -> bool {
        self.that_only.contains(&w.to_lowercase())
    }
    /// Auxiliary/modal/copula: a sign that a clause follows.
    pub fn is_auxiliary(&self, w: &str) -> bool {
        self.auxiliaries.contains(&w.to_lowercase())
    }
    /// Any speech verb.
    pub fn is_speech_verb(&self, w: &str) -> bool {
        self.is_clause_verb(w) || self.is_frame_only_verb(w)
    }
}

/// The shared gazetteer.
pub fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let g = gazetteer();
        let afp = g.org_index.get("agence france presse").copied();
        assert!(afp.is_some());
        assert_eq!(g.orgs[afp.unwrap_or(0)].name, "Agence France-Presse");
        let us = g.org_index.get("u.s.").copied().unwrap_or(0);
        assert_eq!(g.orgs[us].name, "United States");
        assert!(g.demonyms.contains_key("syrian"));
        assert!(g.is_place("new york"));
        assert_eq!(g.given_names.get("maria"), Some(&true));
        assert!(g.is_clause_verb("Said"));
        assert_eq!(g.org_suffix("Ministry"), Some(OrgKind::Government));
    }
}
