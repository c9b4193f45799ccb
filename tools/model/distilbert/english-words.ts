/**
 * Common English base words (plus customer-service vocabulary) for the benchmark tokenizer's vocabulary.
 * Embedded rather than read from /usr/share/dict or the project's training data so the generated vocabulary is
 * the same on every machine and does not change when the training data does. Inflections are derived by rule
 * (see english-vocab.builder.ts), so only base forms are listed.
 */

/** Closed-class words and very frequent words that take no inflection. */
export const FUNCTION_WORDS = `
a about above across after afterwards again against ago ahead all almost alone along already also although always am
among amongst an and another any anybody anyhow anymore anyone anything anyway anywhere are around as at away back
be because been before beforehand behind being below beside besides between beyond both but by can cannot could did
do does doing done down during each either else elsewhere enough especially etc even ever every everybody everyone
everything everywhere except few for from further furthermore had has have having he hence her here hers herself him
himself his how however i if in indeed inside instead into is it its itself just least less lot lots many may maybe me
meanwhile might mine more moreover most mostly much must my myself namely neither never nevertheless next no nobody
none nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves out
outside over own per perhaps please quite rather really same seldom several shall she should since so some somebody
somehow someone something sometime sometimes somewhat somewhere soon still such than that the their theirs them
themselves then there thereafter thereby therefore these they this those though through throughout thru thus till to
together too toward towards under unless until up upon us very via was we well were what whatever when whenever where
whereas wherever whether which while whilst who whoever whole whom whose why will with within without would yes yet
you your yours yourself yourselves ok okay hi hello hey thanks thank dear sir madam mr mrs ms dr
isn don doesn didn wasn weren hasn haven hadn won wouldn shouldn couldn can't aren ain ll ve re im
zero two three four five six seven eight nine ten eleven twelve thirteen fifteen twenty thirty forty fifty hundred
thousand million billion first second third fourth fifth last half twice dozen
monday tuesday wednesday thursday friday saturday sunday january february march april june july august september
october november december today tomorrow yesterday tonight weekend morning afternoon evening night
`;

/** Verbs, base form; -s, -ed, -ing forms are derived. Irregular past forms are listed separately. */
export const VERBS = `
accept access accommodate accompany accomplish account accuse achieve acknowledge acquire act activate adapt add
address adjust admit adopt advertise advise afford agree aim alert allocate allow alter amend analyse analyze announce
annoy answer anticipate apologise apologize appeal appear apply appoint appreciate approach approve argue arise arrange
arrest arrive ask assemble assess assign assist assume assure attach attack attempt attend attract authorise authorize
avoid await award bake balance ban bank bargain base bathe bear beat become beg begin behave believe belong bend benefit
bet bill bind bite blame bleed blend bless block blow board boil book boost borrow bother bounce bow box break breathe
breed bring broadcast browse brush build burn burst bury buy calculate call calm cancel cap capture care carry cash cast
catch cause cease celebrate challenge change charge chase chat check cheer chew choose claim clarify clean clear click
climb close coach collapse collect combine come comfort command comment commit communicate compare compensate compete
compile complain complete comply compose compute concentrate concern conclude condition conduct confirm conflict
confuse connect consider consist construct consult consume contact contain continue contract contribute control
convert convince cook cool cooperate copy correct cost count cover crack crash create credit cross crush cry cure curse
cut damage dance dare deal debit decide declare decline decorate decrease deduct defeat defend define delay delete
deliver demand deny depart depend deposit describe deserve design desire destroy detail detect determine develop die
dig direct disable disagree disappear disappoint discharge disclose disconnect discount discover discuss dislike
dismiss dispatch display dispute distribute disturb dive divide dock document dominate donate double doubt download
drag drain draw dream dress drink drive drop dry dump earn ease eat edit educate elect eliminate email embarrass emerge
employ empty enable encounter encourage end endorse enforce engage enhance enjoy enquire enroll ensure enter entertain
equip escalate escape establish estimate evaluate examine exceed exchange excite exclude excuse execute exercise exist
expand expect experience expire explain explode explore export expose express extend face fail fall fasten favour
favor fear feed feel fetch fight file fill finalise finalize finance find finish fire fit fix flag flash flee float
flood flow fly focus fold follow forbid force forecast foresee forget forgive form forward found free freeze frustrate
fulfil fulfill fund gain gather generate get give glance go grab graduate grant greet grind grow guarantee guard guess
guide handle hang happen harm hate head heal hear heat help hesitate hide hire hit hold hope host hunt hurry hurt
identify ignore illustrate imagine implement imply import impose impress improve include incorporate increase
indicate influence inform initiate injure input insist inspect install instruct insure intend interact interest
interfere interpret interrupt introduce invest investigate invite invoice involve iron issue join joke judge jump
justify keep kick kill kiss knock know label lack land last laugh launch lay lead lean learn leave lend let level lie
lift light like limit link list listen live load loan locate lock log look lose love lower maintain make manage
manufacture mark market marry match matter mean measure meet mention merge message migrate mind miss mistake mix
modify monitor motivate move multiply name navigate need negotiate nominate note notice notify obey object oblige
observe obtain occupy occur offend offer open operate oppose opt order organise organize owe own pack paint park
participate pass pay perform permit persuade phone pick place plan plant play plead pledge plug point polish pop
possess post postpone pour practise practice pray predict prefer prepare present preserve press pretend prevent price
print prioritise prioritize proceed process produce program progress promise promote prompt pronounce propose
protect protest prove provide publish pull pump punch punish purchase pursue push put qualify question queue quit
quote race rain raise rank rate reach react read realise realize rebook recall receive reckon recognise recognize
recommend reconnect record recover recycle redeem redirect reduce refer reflect refresh refund refuse regard register
regret reject relate relax release rely remain remember remind remove renew rent reopen repair repay repeat replace
reply report represent request require reschedule rescue research reserve reset resign resist resolve respond rest
restart restore restrict result resume retain retire retrieve return reveal review revise reward ride ring rise risk
roll rub ruin rule run rush sail satisfy save say scan schedule score scratch scream search secure see seek seem select
sell send separate serve service set settle shake shape share shave shift shine ship shock shoot shop shout show shower
shrink shut sigh sign signal sing sink sit skip sleep slide slip smell smile smoke snap solve sort sound speak specify
speed spell spend spill spin split spoil sponsor spread squeeze stand stare start state stay steal step stick stock
stop store stress stretch strike struggle study submit succeed suffer suggest suit supply support suppose surprise
surround survive suspect suspend swallow swap swear sweep swim switch take talk tap target taste teach tear tell tend
terminate test text thank think threaten throw tick tie tip tolerate top touch tour track trade train transfer
transform translate transport trap travel treat trigger trip trouble trust try turn twist type understand undo
unlock unpack unsubscribe update upgrade upload urge use vacate validate value vanish verify view visit vote wait wake
walk want warn wash waste watch water wave wear weigh welcome win wipe wish withdraw wonder work worry wrap write yell
`;

/** Irregular past tenses and participles the suffix rules cannot derive. */
export const IRREGULAR_FORMS = `
was were been became began bent bet bit bled blew broke broken brought built burnt bought caught chose chosen came
cost cut dealt did done drew drawn drank drunk drove driven ate eaten fell fallen fed felt fought found fled flew flown
forbade forgot forgotten forgave froze frozen got gotten gave given went gone grew grown hung had heard hid hidden hit
held hurt kept knew known laid led left lent let lay lain lit lost made meant met paid put quit read rode ridden rang
rung rose risen ran said saw seen sought sold sent set shook shaken shone shot shown shut sang sung sank sat slept slid
spoke spoken spent spun split spread stood stole stolen stuck struck swore sworn swept swam swung took taken taught
tore torn told thought threw thrown understood undid undone woke woken wore worn won wound wrote written
children men women people feet teeth mice data criteria
better best worse worst more most less least further furthest
`;

/** Nouns (singular); plurals are derived. */
export const NOUNS = `
ability absence accent accident account accountant achievement act action activity actor ad addition address
administration admin adult advance advantage adventure advert advertisement advice advisor affair age agency agenda
agent agreement air aircraft airline airport alarm album alcohol alert allowance alternative amount analysis animal
anniversary answer anxiety apartment apology app appeal appearance appetite apple application appointment approach
approval area argument arm army arrangement arrival art article artist aspect assessment asset assistance assistant
association assumption atmosphere attachment attempt attendance attention attitude attorney audience audio author
authority auto availability average award awareness baby background bag baggage balance ball band bank bar bargain
base basis basket bath bathroom battery battle beach bean bear beat bed bedroom beer beginning behalf behaviour behavior
being belief bell benefit bike bill birth birthday bit block blood board boat body bonus book booking boot border
boss bottle bottom box boy brain branch brand bread break breakfast bridge brother browser budget bug building bundle
bus business button buyer cab cable cafe cake calendar call camera campaign cancellation candidate cap capacity
capital car card care career carpet carrier case cash cashback cat catalogue catalog category cause ceiling cell centre
center certificate chain chair chairman challenge champion chance change channel chapter character charge chart chat
chatbot check checkout cheque chest chicken chief child childhood chip choice church cinema circle circumstance citizen
city claim class client climate clinic clock closure clothes clothing cloud club coach coast code coffee coin cold
colleague collection college colour color column combination comfort command comment commission commitment committee
communication community company comparison compensation competition complaint component computer concept concern
concert condition conference confidence confirmation conflict confusion connection consequence consideration
consultant consumer contact content contest context contract contribution control convenience conversation cook copy
corner corporation cost council counter country couple coupon courier course court cover coverage credit crew crime
crisis criticism crowd cup currency customer cycle dad damage danger dashboard data database date daughter day
deadline deal dealer death debate debit debt decision deck defect defence defense definition degree delay delivery
demand department departure deposit depth description design desk destination detail development device diagnosis
difference difficulty dinner direction director disability disappointment disaster discount discussion disease dish
dispatch display dispute distance distribution district doctor document dog dollar domain door doubt download draft
drawer dream dress drink driver drop drug duration duty economy edge edition editor education effect effort election
electricity element email emergency emotion employee employer end energy engine engineer entrance entry environment
episode equipment error escalation estate estimate euro evening event evidence exam example exception exchange
excuse executive exercise exit expectation expense experience expert expiry explanation expression extension extent
eye fabric face facility fact factor failure fair faith family fan farm fashion fault favour favor fear feature fee
feedback feeling field figure file film finance finding fine finger fire firm fish fitness flat flight floor flower
fly focus folder food foot force form format fortnight forum frame fraud freedom friend front fruit fuel fun function
fund funding furniture future game gap garage garden gas gate gear gender gift girl glass goal gold good government
grade grant grass ground group growth guarantee guest guidance guide guy hair half hall hand handle hardware head
headline health heart heat height helicopter help helpline highlight hire history hobby hold hole holiday home hope
hospital host hotel hour house household housing human husband idea identity image impact importance impression
improvement incident income increase independence index individual industry inflation info information injury input
inquiry enquiry insight installation instance institution instruction insurance intention interest internet interview
introduction invoice investment issue item jacket job joke journey judge juice key keyboard kid kind kitchen knee
knowledge lab label labour labor lack lady lake land language laptop law lawyer layer lead leader leadership league
leave lecture leg legislation lesson letter level library licence license life lift light limit line link list
literature loan local location lock login logo look loss lot love luck luggage lunch machine magazine mail
maintenance majority male manager manner manual map margin mark market marketing marriage master match material
matter meal meaning measure meat media medicine meeting member membership memory menu mess message metal method
middle midnight mile milk mind minister minute mirror mistake mix mobile mode model mom moment money month mood
morning mortgage mother motor mountain mouse mouth move movie mum music name nation nature neck need neighbour
neighbor network news newspaper night noise norm note notice notification number nurse object objective occasion
offer office officer oil operation operator opinion opportunity option order organisation organization outcome
outlet output owner package packaging page pain pair panel paper parcel parent park part partner party passenger
passport password past patience patient pattern payment peace penalty pension percent percentage performance period
permission person phone photo phrase piece pin pizza place plan plane plant plate platform player pocket point
police policy politics pool portal position possibility post postage pound power practice premium presence present
president pressure price pride principle printer priority prison privacy problem procedure process product
production profile profit program programme progress project promise promo promotion proof property proposal
protection provider public purchase purpose quality quantity quarter query question queue quote race radio rail
railway range rate ratio reaction reader reality reason receipt reception recipe record recording recovery reduction
reference refund region registration regulation relation relationship release reminder removal rent rental repair
replacement reply report representative reputation request requirement research reservation resident resolution
resource response responsibility rest restaurant result retail retailer return revenue review reward right ring risk
road role roof room root round route routine row rule safety salary sale sample satisfaction saving scale scene
schedule scheme school science scope score screen sea search season seat second secret secretary section sector
security selection sense series server service session setting shape share shipment shipping shirt shoe shop
shopping shot side sign signal signature site situation size skill skin sky sleep slot smartphone society sofa
software soldier solution son song sort sound source space speaker specialist speech speed spirit sport spot staff
stage standard star start state statement station status step stock stone store story strategy street strength
stress structure student studio study stuff style subject subscription success suggestion suit summary summer sun
supermarket supervisor supplier supply support surface surgery surprise survey switch symbol system table tablet tag
target task tax taxi tea teacher team technician technology teen telephone television temperature tenant term
terminal test text theatre theater theme theory thing thought threat ticket time tip title toilet tool top topic
total touch tour towel town toy track tracking trade traffic train training transaction transfer transport travel
treatment tree trial trip trolley trouble truck trust truth turn tv type unit university update upgrade usage user
vacation value van variety vehicle vendor version video view village visa visit visitor voice volume voucher wage
wait waiter wall wallet war warehouse warning warranty washer watch water wave way weakness wealth weather web website
wedding week weekend weight welcome wheel while wife wifi window winner winter wish woman wood word work worker
world worry writer year youth zone
`;

/** Adjectives and adverbs; -ly / -er / -est forms are derived where the rules allow. */
export const ADJECTIVES = `
able absolute acceptable accurate active actual additional adequate advanced affordable afraid aggressive alive
amazing angry annual anxious apparent appropriate automatic available average awful awesome bad basic beautiful big
bitter blank blind blue bold boring brief bright brilliant broad broken brown busy calm capable careful careless
central certain cheap chief clean clear clever close cold comfortable commercial common competitive complete complex
complicated comprehensive confident confused confusing consistent constant convenient cool correct crazy critical
crucial cruel current cute damaged dangerous dark dead dear decent deep defective definite delicious delighted
dependable desperate detailed different difficult digital direct dirty disappointed disappointing disgusting
dishonest double dramatic dry due dull early easy economic effective efficient electric electronic elderly
embarrassing emotional empty endless enormous entire equal essential eventual evident exact excellent exceptional
excessive exciting exclusive expensive experienced expired explicit extra extreme fair faithful false familiar famous
fancy fantastic far fast fat faulty fine final financial firm fit flat flexible fluent foreign formal former
fortunate frank free frequent fresh friendly frustrated frustrating full funny general generous gentle genuine giant
glad global good gorgeous grand grateful great green gross guilty happy hard harsh healthy heavy helpful helpless high
historic holy honest hopeful horrible hot huge human hungry ideal identical ill illegal immediate important impossible
impressive inaccurate incomplete incorrect incredible independent individual industrial inevitable initial innocent
instant intelligent intense interesting internal international invalid irritating kind large late latest lazy legal
legitimate light likely limited literal little live local logical lonely long loose loud lovely low loyal lucky mad
main major manual massive maximum mean medical medium mental mere mild military minimal minimum minor missing mobile
modern modest monthly moral multiple mutual narrow nasty national natural near neat necessary negative nervous net
neutral new nice noisy normal notable obvious occasional odd official old online open operational opposite optional
ordinary organic original outstanding overall overdue painful particular partial patient perfect permanent personal
physical plain pleasant pleased plenty polite political poor popular positive possible potential powerful practical
precise pregnant premium prepared present pretty previous primary prime principal prior private probable professional
prompt proper proud public pure quick quiet random rapid rare raw ready real reasonable recent regular relevant
reliable reluctant remote repeated responsible responsive rich ridiculous right rough round rude sad safe satisfied
scared secure senior sensible separate serious severe sexy shallow sharp short sick significant silly similar simple
single slight slow small smart smooth social soft solid sorry special specific standard steady strange strict strong
stupid subsequent substantial successful sudden sufficient suitable super superb sure surprised suspicious sweet
technical temporary terrible thick thin thorough tight tiny tired total tough traditional tremendous true typical ugly
unable unacceptable unavailable unclear uncomfortable unfair unfortunate unhappy unhelpful unknown unlikely unpaid
unpleasant unreasonable unsure unusual upset urgent useful useless usual valid valuable various vast verbal violent
virtual visible vital vulnerable warm weak wealthy weekly weird wet white wide wild willing wise wonderful wooden worried
worth wrong young
also actually again almost already always apparently basically certainly clearly completely constantly currently
definitely despite directly easily entirely eventually exactly extremely finally fortunately frankly frequently
fully generally genuinely hardly honestly hopefully immediately instead literally luckily merely nearly necessarily
normally obviously originally particularly perhaps possibly presumably previously probably properly quickly rarely
recently regularly repeatedly seriously shortly simply slightly somehow specifically strongly suddenly supposedly
surely totally truly typically ultimately unfortunately usually
`;

/** Words a customer-complaint text is likely to contain that the general lists above miss. */
export const DOMAIN_WORDS = `
refundable nonrefundable reimbursement reimburse chargeback overcharge overcharged undercharge prepaid postpaid
subscription unsubscribe autorenew renewal billing invoiced overdraft atm pin iban swift paypal visa mastercard amex
debit creditcard bank transfer wire tracking courier dhl ups fedex usps royal parcel postage doorstep undelivered
misdelivered mislabelled mislabeled damaged dented scratched cracked shattered leaking missing lost stolen wrong
faulty defective broken refurbished warranty guarantee exchange return returns replacement repair technician
engineer appointment rescheduled cancelled canceled cancellation delayed delay late overdue waiting waited hours
days weeks months ridiculous unacceptable disgraceful disgusting appalling outrageous terrible awful horrible
pathetic worst shocking poor rude unhelpful unprofessional incompetent useless frustrated frustrating annoyed
annoying disappointed disappointing upset angry furious livid complaint complaints escalate escalated escalation
manager supervisor ombudsman regulator lawsuit legal solicitor lawyer consumer rights compensation goodwill gesture
apology apologise apologize sorry hold queue callback chatbot agent representative advisor helpdesk hotline
customer service support team department headquarters store branch outlet warehouse online website app login
password username account profile verification verify otp code sms email inbox spam notification
wifi broadband internet router modem outage signal coverage network connection disconnected speed slow fibre fiber
mobile phone handset sim contract tariff plan upgrade roaming data minutes texts bill charges fees fee surcharge
vat tax receipt invoice order orders ordered item items product products package packages delivery deliveries
delivered shipping shipped shipment dispatch dispatched courier driver address postcode zipcode apartment flat
booking booked reservation hotel flight airline airport baggage luggage seat boarding gate check checkin checkout
insurance policy claim premium excess cover covered uninsured mortgage loan interest rate credit score debt
collector fraud scam scammed phishing unauthorised unauthorized transaction transactions pending declined approved
electricity gas energy meter reading estimate supplier boiler heating cooling leak plumber landlord tenant
deposit rent repairs mould mold pest noise neighbour neighbor restaurant food meal cold undercooked raw hair
portion waiter bill tip allergy allergic hygiene shoes jacket dress size fit colour color quality fabric stitching
laptop tablet screen battery charger cable keyboard printer software update crash crashes freeze freezes glitch bug
error message loading logged locked reset unlock subscription trial premium membership loyalty points voucher coupon
promo discount sale offer price prices pricing cheaper expensive overpriced value money
please help thanks regards sincerely kind hello hi dear asap urgent immediately still never again ever
`;
