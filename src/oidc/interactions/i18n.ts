/**
 * Texts of the OpenID login pages in Traditional Chinese (default) and English; the language comes
 * from ui_locales (oidc-core §3.1.2.1), else Accept-Language, else zh-TW.
 *
 * @spec oidc-core §3.1.2.1 (ui_locales); rfc7231 §5.3.5 (Accept-Language); SPEC §4.1 (field names)
 */

export const LOCALES = ['zh-TW', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

interface Texts {
  title: string;
  serviceAsks: (service: string) => string;
  purpose: string;
  required: string;
  optional: string;
  pseudonym: string;
  ageOver: (age: number) => string;
  placeCheck: string;
  documentValidity: string;
  start: string;
  cancel: string;
  startEid: string;
  eidHint: string;
  openClient: string;
  continueAfter: string;
  errorTitle: string;
  errorBack: string;
  logoutTitle: string;
  logoutQuestion: string;
  logoutYes: string;
  logoutNo: string;
  loggedOut: string;
  attribute: (id: string) => string;
}

const ZH_ATTRIBUTES: Readonly<Record<string, string>> = {
  DocumentType: '證件類別', IssuingState: '發證國家', DateOfRenewal: '應換領日期', ChineseName: '中文姓名', RomanizedName: '外文姓名',
  NationalIdNumber: '統一編號', CardNumber: '證件號碼', DateOfBirth: '出生日期', PlaceOfBirth: '出生地', Nationality: '國籍', Sex: '性別',
  MaritalStatus: '結婚狀態', MilitaryServiceStatus: '役別', DateOfIssue: '製證日期', FatherName: '父姓名', MotherName: '母姓名',
  HouseholdAddress: '戶籍地址', HouseholdAreaCode: '村里鄰代碼', SpouseName: '配偶姓名', Photo: '相片', CAN: '卡片存取碼 (CAN)',
  GivenNames: '名', FamilyNames: '姓', ArtisticName: '藝名', AcademicTitle: '學位', DateOfExpiry: '有效期限', BirthName: '出生姓氏',
  PlaceOfResidence: '住址', CommunityID: '社區代碼', ResidencePermitI: '居留許可 I', ResidencePermitII: '居留許可 II',
};

const EN_ATTRIBUTES: Readonly<Record<string, string>> = {
  DocumentType: 'Document type', IssuingState: 'Issuing state', DateOfRenewal: 'Renewal date', ChineseName: 'Name (Chinese)', RomanizedName: 'Name (romanized)',
  NationalIdNumber: 'National ID number', CardNumber: 'Card number', DateOfBirth: 'Date of birth', PlaceOfBirth: 'Place of birth', Nationality: 'Nationality', Sex: 'Sex',
  MaritalStatus: 'Marital status', MilitaryServiceStatus: 'Military service status', DateOfIssue: 'Date of issue', FatherName: "Father's name", MotherName: "Mother's name",
  HouseholdAddress: 'Household address', HouseholdAreaCode: 'Household area code', SpouseName: "Spouse's name", Photo: 'Photo', CAN: 'Card access number (CAN)',
  GivenNames: 'Given names', FamilyNames: 'Family names', ArtisticName: 'Artistic name', AcademicTitle: 'Academic title', DateOfExpiry: 'Date of expiry', BirthName: 'Birth name',
  PlaceOfResidence: 'Place of residence', CommunityID: 'Community ID', ResidencePermitI: 'Residence permit I', ResidencePermitII: 'Residence permit II',
};

const TEXTS: Readonly<Record<Locale, Texts>> = {
  'zh-TW': {
    title: '以數位身分識別證登入',
    serviceAsks: (s) => `「${s}」請求讀取下列資料`,
    purpose: '使用目的',
    required: '必要',
    optional: '可取消勾選',
    pseudonym: '本服務專用的匿名識別碼',
    ageOver: (age) => `是否年滿 ${age} 歲（僅回答是或否）`,
    placeCheck: '是否設籍於指定地區（僅回答是或否）',
    documentValidity: '證件是否有效',
    start: '同意並以晶片卡登入',
    cancel: '取消',
    startEid: '請以身分識別用戶端完成驗證',
    eidHint: '請將晶片卡放上讀卡機，於用戶端輸入 PIN 碼。完成後瀏覽器會自動返回。',
    openClient: '開啟身分識別用戶端',
    continueAfter: '若未自動返回，請於完成後按此繼續',
    errorTitle: '無法完成登入',
    errorBack: '請回到原服務重新開始。',
    logoutTitle: '登出',
    logoutQuestion: '您正從原服務登出。是否同時結束本瀏覽器以晶片卡完成的登入（其他服務也一併登出）？',
    logoutYes: '全部登出',
    logoutNo: '僅登出原服務',
    loggedOut: '您已登出。',
    attribute: (id) => ZH_ATTRIBUTES[id] ?? id,
  },
  en: {
    title: 'Log in with your eID card',
    serviceAsks: (s) => `“${s}” asks to read the following data`,
    purpose: 'Purpose',
    required: 'required',
    optional: 'you may deselect',
    pseudonym: 'A pseudonym for this service only',
    ageOver: (age) => `Whether you are at least ${age} (yes or no only)`,
    placeCheck: 'Whether you are registered in the given area (yes or no only)',
    documentValidity: 'Whether the card is valid',
    start: 'Agree and log in with the card',
    cancel: 'Cancel',
    startEid: 'Complete the login in your eID client',
    eidHint: 'Place the card on the reader and enter your PIN in the eID client. The browser returns here automatically.',
    openClient: 'Open the eID client',
    continueAfter: 'If you are not sent back automatically, continue here when done',
    errorTitle: 'The login could not be completed',
    errorBack: 'Please return to the service and start again.',
    logoutTitle: 'Log out',
    logoutQuestion: 'You are logging out of the service that sent you here. Also end your eID card login in this browser (and so log out of every other service)?',
    logoutYes: 'Log out everywhere',
    logoutNo: 'Only this service',
    loggedOut: 'You are logged out.',
    attribute: (id) => EN_ATTRIBUTES[id] ?? id,
  },
};

/** The first supported locale of ui_locales (space-separated BCP 47 tags), else of Accept-Language. */
export function chooseLocale(uiLocales: string | undefined, acceptLanguage: string | undefined): Locale {
  const candidates = [
    ...(uiLocales ?? '').split(' '),
    ...(acceptLanguage ?? '').split(',').map((part) => part.split(';')[0] ?? ''),
  ].map((tag) => tag.trim().toLowerCase()).filter((tag) => tag !== '');
  for (const tag of candidates) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-TW';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'zh-TW';
}

export function texts(locale: Locale): Texts {
  return TEXTS[locale];
}
