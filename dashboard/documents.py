"""Every GraphQL document the dashboard sends: one named operation each, with the fragments it uses.

tests/test_dashboard_documents.py validates them against graphql_schema/schema.graphql and fails
when a document is written anywhere else in the dashboard.
"""

TIMELINE_ENTRY = """
fragment TimelineEntryRow on TimelineEntry {
  id points totalAfter reason kind at actor activity { type campaignId url }
}"""
SCORE_SHEET_FIELDS = """
fragment ScoreSheetFields on ScoreSheet {
  enabled negativeScoringEnabled entries { activity points minPoints maxPoints negative }
}"""
SCORE_VIEW_ROW = """
fragment ScoreViewRow on ScoreView {
  id name scoreCondition { kind min max } period { kind days start end }
  criteria { field operator value } mailingLists
}"""

JOB_STEP = """
fragment JobStep on BackgroundJob { id status done total affected progress }"""

ME = "query Me { me { name role } }"

CLASSIFICATION = """query Classification { classification {
  mostEngagedMin progressingMin basis periodDays
  counts { classification count share } scoreDistribution(bucketSize: 25) { low high count } } }"""
CLASSIFICATION_UPDATE = """mutation ClassificationUpdate($input: ClassificationUpdateInput!) {
  classificationUpdate(input: $input) {
    classification { mostEngagedMin } errors { field message } } }"""

CONTACTS = """query Contacts($first: Int, $after: String, $filter: ContactFilter,
    $orderBy: ContactOrder) {
  contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id email firstName lastName country mailingLists score classification } } } }"""
CONTACT = (
    """query Contact($id: ID!) { contact(id: $id) {
  id email firstName lastName country mailingLists score classification
  timeline(first: 100) { totalCount entries { ...TimelineEntryRow } } } }"""
    + TIMELINE_ENTRY
)
CONTACT_SCORE_SET = (
    """mutation ContactScoreSet($input: ContactScoreSetInput!) {
  contactScoreSet(input: $input) {
    contact { score classification } entry { ...TimelineEntryRow } errors { field message } } }"""
    + TIMELINE_ENTRY
)
LIVE_CURSOR = "query LiveCursor { liveCursor }"
SCORE_CHANGES = (
    """subscription ScoreChanges($after: String) { scoreChanged(after: $after) {
  contactId delta score previousScore classification previousClassification reason at cursor
  entry { ...TimelineEntryRow } } }"""
    + TIMELINE_ENTRY
)

SCORE_SHEET = "query ScoreSheet { scoreSheet { ...ScoreSheetFields } }" + SCORE_SHEET_FIELDS
SCORE_SHEET_UPDATE = (
    """mutation ScoreSheetUpdate($input: ScoreSheetUpdateInput!) {
  scoreSheetUpdate(input: $input) {
    scoreSheet { ...ScoreSheetFields } errors { field message } } }"""
    + SCORE_SHEET_FIELDS
)

RULES = (
    """query Rules {
  fieldRules { id name points conditions { field operator value } }
  customRules {
    id name points activityType urlEquals urlContains campaignId enabled excludedCampaigns }
  fieldRuleSyncs(first: 1) { ...JobStep } }"""
    + JOB_STEP
)
FIELD_RULE_SYNC_PROGRESS = (
    """subscription FieldRuleSyncProgress($id: ID!) {
  fieldRuleSyncProgress(jobId: $id) { ...JobStep } }"""
    + JOB_STEP
)
FIELD_RULE_CREATE = """mutation FieldRuleCreate($input: FieldRuleInput!) {
  fieldRuleCreate(input: $input) { fieldRule { id } sync { id } errors { field message } } }"""
FIELD_RULE_UPDATE = """mutation FieldRuleUpdate($input: FieldRuleUpdateInput!) {
  fieldRuleUpdate(input: $input) { fieldRule { id } sync { id } errors { field message } } }"""
FIELD_RULE_DELETE = """mutation FieldRuleDelete($input: RuleDeleteInput!) {
  fieldRuleDelete(input: $input) { deletedId sync { id } errors { field message } } }"""
CUSTOM_RULE_CREATE = """mutation CustomRuleCreate($input: CustomRuleInput!) {
  customRuleCreate(input: $input) { customRule { id } errors { field message } } }"""
CUSTOM_RULE_UPDATE = """mutation CustomRuleUpdate($input: CustomRuleUpdateInput!) {
  customRuleUpdate(input: $input) { customRule { id } errors { field message } } }"""
CUSTOM_RULE_DELETE = """mutation CustomRuleDelete($input: RuleDeleteInput!) {
  customRuleDelete(input: $input) { deletedId errors { field message } } }"""

SCORE_VIEWS = "query ScoreViews { scoreViews { ...ScoreViewRow } }" + SCORE_VIEW_ROW
SCORE_VIEW = """query ScoreView($id: ID!, $after: String) { scoreView(id: $id) {
  contacts(first: 25, after: $after) {
    totalCount edges { node { id email firstName lastName country score } }
    pageInfo { hasNextPage endCursor } }
  report { total byMailingList { name count } byCountry { name count } }
  period { kind }
  notification { enabled frequency time weekday dayOfMonth recipients lastSentAt nextSendAt
    lastError } } }"""
SCORE_VIEW_PDF = """query ScoreViewPdf($id: ID!) {
  scoreView(id: $id) { summaryPdf { filename base64 } } }"""
SCORE_VIEW_CREATE = """mutation ScoreViewCreate($input: ScoreViewInput!) {
  scoreViewCreate(input: $input) { scoreView { id } errors { field message } } }"""
SCORE_VIEW_UPDATE = """mutation ScoreViewUpdate($input: ScoreViewUpdateInput!) {
  scoreViewUpdate(input: $input) { scoreView { id } errors { field message } } }"""
SCORE_VIEW_DELETE = """mutation ScoreViewDelete($input: ScoreViewDeleteInput!) {
  scoreViewDelete(input: $input) { deletedId errors { field message } } }"""
SCORE_VIEW_NOTIFICATION_UPDATE = """mutation ScoreViewNotificationUpdate(
    $input: ScoreViewNotificationUpdateInput!) {
  scoreViewNotificationUpdate(input: $input) {
    notification { enabled } errors { field message } } }"""
SCORE_VIEW_EMAIL_SEND = """mutation ScoreViewEmailSend($input: ScoreViewEmailSendInput!) {
  scoreViewEmailSend(input: $input) { sentTo errors { field message } } }"""

SCORES_RESET = """mutation ScoresReset($input: ScoresResetInput!) { scoresReset(input: $input) {
  reset { id } errors { field message } } }"""
RESET_PROGRESS = (
    """subscription ResetProgress($id: ID!) { resetProgress(jobId: $id) { ...JobStep } }"""
    + JOB_STEP
)
RESET_HISTORY = (
    """query ResetHistory { resetHistory(first: 50) {
  ...JobStep actor reason startedAt scoringEnabled } }"""
    + JOB_STEP
)

API_TOKEN_ROW = """
fragment ApiTokenRow on ApiToken {
  id name role status createdAt createdBy lastUsedAt expiresAt revokedAt revokedBy }"""
API_TOKENS = "query ApiTokens { apiTokens { ...ApiTokenRow } }" + API_TOKEN_ROW
API_TOKEN_CREATE = (
    """mutation ApiTokenCreate($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) {
  token apiToken { ...ApiTokenRow } errors { field message } } }"""
    + API_TOKEN_ROW
)
API_TOKEN_REVOKE = (
    """mutation ApiTokenRevoke($input: ApiTokenRevokeInput!) { apiTokenRevoke(input: $input) {
  apiToken { ...ApiTokenRow } errors { field message } } }"""
    + API_TOKEN_ROW
)

SMTP_SETTINGS_FIELDS = """
fragment SmtpSettingsFields on SmtpSettings { host port sender username passwordSet startTls }"""
SMTP_SETTINGS = (
    "query SmtpSettings { smtpSettings { ...SmtpSettingsFields } }" + SMTP_SETTINGS_FIELDS
)
SMTP_SETTINGS_UPDATE = (
    """mutation SmtpSettingsUpdate($input: SmtpSettingsUpdateInput!) {
  smtpSettingsUpdate(input: $input) {
    smtpSettings { ...SmtpSettingsFields } errors { field message } } }"""
    + SMTP_SETTINGS_FIELDS
)

WORKFLOW_ROW = """
fragment WorkflowRow on Workflow {
  id name mailingList trigger condition { field operator value } activityType campaignId points
  active activatedAt }"""
WORKFLOWS = "query Workflows { workflows { ...WorkflowRow } }" + WORKFLOW_ROW
WORKFLOW_CREATE = (
    """mutation WorkflowCreate($input: WorkflowCreateInput!) { workflowCreate(input: $input) {
  workflow { ...WorkflowRow } errors { field message code } } }"""
    + WORKFLOW_ROW
)
WORKFLOW_UPDATE = (
    """mutation WorkflowUpdate($input: WorkflowUpdateInput!) { workflowUpdate(input: $input) {
  workflow { ...WorkflowRow } errors { field message code } } }"""
    + WORKFLOW_ROW
)
WORKFLOW_ACTIVATE = (
    """mutation WorkflowActivate($input: WorkflowIdInput!) { workflowActivate(input: $input) {
  workflow { ...WorkflowRow } errors { field message code } } }"""
    + WORKFLOW_ROW
)
WORKFLOW_DEACTIVATE = (
    """mutation WorkflowDeactivate($input: WorkflowIdInput!) {
  workflowDeactivate(input: $input) {
    workflow { ...WorkflowRow } errors { field message code } } }"""
    + WORKFLOW_ROW
)
WORKFLOW_DELETE = """mutation WorkflowDelete($input: WorkflowIdInput!) {
  workflowDelete(input: $input) { deletedId errors { field message code } } }"""

RESCORE_ROW = """
fragment RescoreRow on RescoreJob {
  ...JobStep actor reason startedAt finishedAt activities pointsDelta }"""
DRAFTS = (
    """query Drafts {
  scoreSheet { negativeScoringEnabled entries { activity points minPoints maxPoints } }
  customRules {
    id name points activityType urlEquals urlContains campaignId enabled excludedCampaigns }
  rescoreJobs(first: 10) { ...RescoreRow } }"""
    + RESCORE_ROW
    + JOB_STEP
)
SCORING_SIMULATE = """query ScoringSimulate($input: ScoringSimulateInput!) {
  scoringSimulate(input: $input) {
    simulation { contactsExamined contactsChanged totalDelta classChanges { from to count }
      examples { contactId email score simulatedScore delta } }
    errors { field message code } } }"""
SCORING_RESCORE = """mutation ScoringRescore($input: ScoringRescoreInput!) {
  scoringRescore(input: $input) { job { id } errors { field message code } } }"""
RESCORE_PROGRESS = (
    """subscription RescoreProgress($id: ID!) { rescoreProgress(jobId: $id) { ...JobStep } }"""
    + JOB_STEP
)
CONTACT_SCORE = "query ContactScore($id: ID!) { contact(id: $id) { id score } }"
