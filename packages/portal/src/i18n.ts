/**
 * Languages of the portal: Vietnamese and English. Every text shown comes from these two
 * dictionaries; `vi` is typed as `Record<MessageKey, string>`, so a key missing in either
 * language is a type error at build time. Numbers and dates use the locale's own formats
 * (Intl). The choice is remembered in localStorage.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { servicesEn, servicesVi } from './messages-services.js';

const enBase = {
  'app.name': 'govchain',
  'app.tagline': 'A public ledger for government services, verifiable by anyone',
  'nav.label': 'Main',
  'nav.explorer': 'Explorer',
  'nav.checkpoint': 'Checkpoint',
  'nav.verify': 'Verify a document',
  'nav.api': 'API',
  'skip': 'Skip to content',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.vi': 'Tiếng Việt',
  'footer.verified': 'Everything marked verified was checked by this page, in your browser, with the govchain SDK; nothing is taken on the server’s word.',
  'footer.api': 'API documentation',
  'loading': 'Loading…',
  'error.load': 'Could not load data from the node: {reason}',
  'notfound.title': 'Page not found',
  'notfound.body': 'There is no page at this address.',
  'notfound.home': 'Go to the explorer',

  'trust.title': 'Validator keys',
  'trust.pinned': 'This browser trusts the validator keys it first saw for chain {chain} ({count} keys, since {date}).',
  'trust.changed': 'Warning: the node now announces different validator keys than the ones this browser trusts. Proofs are still checked against the trusted keys.',
  'trust.accept': 'Trust the new keys',

  'explorer.title': 'Transparency explorer',
  'explorer.intro': 'The chain’s blocks, transactions and checkpoints. Each checkpoint is signed by the validators; this page checks their signatures itself.',
  'status.title': 'Chain status',
  'status.chain': 'Chain',
  'status.height': 'Height',
  'status.logSize': 'Transactions',
  'status.certified': 'Certified transactions',
  'status.validators': 'Validators',
  'status.version': 'Version',
  'chart.title': 'Transactions per block',
  'chart.desc': 'Transactions in each of the last {count} blocks, from block {from} to block {to}; at most {max} in one block.',
  'chart.block': 'Block',
  'chart.txs': 'Transactions',
  'blocks.title': 'Latest blocks',
  'blocks.height': 'Height',
  'blocks.time': 'Time',
  'blocks.txs': 'Transactions',
  'blocks.hash': 'Block hash',
  'blocks.none': 'No blocks yet.',
  'cp.latest': 'Latest checkpoint',
  'cp.title': 'Checkpoint',
  'cp.intro': 'A checkpoint is a signed note (C2SP) committing to the transaction log and the state at one block. It is certified when a quorum of validators signed it.',
  'cp.size': 'Log size',
  'cp.root': 'Log root',
  'cp.height': 'Block height',
  'cp.state': 'State root',
  'cp.time': 'Time',
  'cp.signatures': 'Validator signatures',
  'cp.sig.name': 'Validator',
  'cp.sig.keyHash': 'Key hash',
  'cp.sig.status': 'Signature',
  'cp.sig.valid': 'Valid signature',
  'cp.sig.invalid': 'INVALID signature',
  'cp.sig.unknown': 'Unknown key (ignored)',
  'cp.quorum': '{have} of {need} required validator signatures are valid.',
  'cp.note': 'Signed note',
  'cp.details': 'Details',
  'log.title': 'Append-only log',
  'log.first': 'This browser now remembers this checkpoint, to check on later visits that the log only grows and is never rewritten.',
  'log.ok': 'Verified in your browser: the log only grew since the checkpoint this browser saw on {date} ({size} transactions); the RFC 6962 consistency proof checks out.',
  'log.same': 'Verified in your browser: the log is unchanged since this browser saw it on {date} ({size} transactions).',
  'log.older': 'The node serves an older checkpoint ({size} transactions) than one this browser already saw ({seen} transactions); it may be lagging behind.',
  'log.fail': 'Warning: the log is NOT consistent with the checkpoint this browser saw on {date} ({size} transactions): it may have been rewritten.',

  'block.title': 'Block {height}',
  'block.hash': 'Block hash',
  'block.prev': 'Previous block',
  'block.time': 'Time',
  'block.txCount': 'Transactions',
  'block.txsHash': 'Transactions hash',
  'block.logSize': 'Log size',
  'block.logRoot': 'Log root',
  'block.stateRoot': 'State root',
  'block.txs': 'Transactions in this block',
  'block.verified': 'Verified in your browser: the transaction list hashes to the header, and the checkpoint of this block, signed by {have} of {need} required validators, has the same log root, state root and height.',
  'block.pending': 'Not verified yet: this block is not yet covered by a certified checkpoint.',
  'block.prevLink': 'Previous block',
  'block.nextLink': 'Next block',

  'tx.title': 'Transaction',
  'tx.id': 'Transaction id',
  'tx.type': 'Type',
  'tx.signer': 'Signer',
  'tx.nonce': 'Nonce',
  'tx.expires': 'Expires',
  'tx.payload': 'Payload',
  'tx.receipt': 'Receipt',
  'tx.status': 'Status',
  'tx.status.ok': 'Accepted',
  'tx.status.failed': 'Failed ({code})',
  'tx.block': 'Block',
  'tx.index': 'Position in block',
  'tx.leafIndex': 'Log position',
  'tx.events': 'Events',
  'tx.ledgerKeys': 'The signer is a ledger identity (did:gov): its key was taken from its DID document, and the ledger checked that key against its state when it committed the transaction.',
  'tx.verified': 'Verified in your browser: the signatures are valid, the receipt is leaf {leaf} of the transaction log, and the inclusion proof leads to the root of a checkpoint signed by {have} of {need} required validators.',

  'verify.title': 'Verify a document',
  'verify.intro': 'Check that a document was notarised on the chain. Your file does not leave your computer: only its SHA-256 fingerprint, computed in this page, is looked up.',
  'verify.file.legend': 'A document',
  'verify.file.label': 'Choose or drop a document',
  'verify.file.help': 'Any file: PDF, image, text. Its fingerprint is computed in your browser.',
  'verify.bundle.legend': 'A proof bundle',
  'verify.bundle.label': 'Choose or drop a proof bundle (.govproof.json)',
  'verify.bundle.help': 'Proof bundles are checked entirely offline, in this page, without asking the node anything.',
  'verify.bundle.doc.label': 'Optionally, the document the bundle is for',
  'verify.drop': 'or drop a file here',
  'verify.hashing': 'Computing the fingerprint…',
  'verify.checking': 'Checking the proof…',
  'verify.fileName': 'File',
  'verify.fileSize': 'Size',
  'verify.bytes': '{n} bytes',
  'verify.digest': 'SHA-256 fingerprint',
  'verify.notFound': 'This document is not notarised on chain {chain}: no anchor has this fingerprint. A changed document (even one byte) has a different fingerprint.',
  'verify.ok': 'Verified in your browser: this document was notarised.',
  'verify.ok.detail': 'Anchored by {signer} in block {height}, transaction {txid}. The transaction signature, its receipt, the inclusion proof and the checkpoint signed by {have} of {need} required validators ({time}) were all checked in this page.',
  'verify.bundle.ok': 'Verified offline in your browser: the proof bundle is valid.',
  'verify.bundle.ok.detail': 'Transaction {txid} in block {height}, included in a checkpoint of {size} transactions signed by the validators.',
  'verify.bundle.doc.ok': 'The document matches the anchored fingerprint.',
  'verify.bundle.trust.pinned': 'Checkpoint signatures checked against the validator keys this browser trusts.',
  'verify.bundle.trust.bundle': 'Checkpoint signatures checked against the validator keys inside the bundle. Compare them with the keys the authority publishes.',
  'verify.fail': 'Warning: verification FAILED. Do not trust this result.',
  'verify.fail.detail': 'Reason: {reason}',
  'verify.bundle.notJson': 'the file is not JSON',
  'verify.download': 'Download the proof bundle',
  'verify.again': 'Verify another file',
  'verify.method': 'Fingerprint computed with {method}.',
  'verify.method.webcrypto': 'your browser’s WebCrypto',
  'verify.method.noble': 'the built-in SHA-256 (this page is not on a secure origin)',
} as const;

/** Citizen and officer pages keep their texts in messages-services.ts (same rule: both languages). */
const en = { ...enBase, ...servicesEn } as const;

/** A message key. */
export type MessageKey = keyof typeof en;

const viBase: Record<keyof typeof enBase, string> = {
  'app.name': 'govchain',
  'app.tagline': 'Sổ cái công khai cho dịch vụ công, ai cũng có thể kiểm chứng',
  'nav.label': 'Chính',
  'nav.explorer': 'Tra cứu',
  'nav.checkpoint': 'Điểm kiểm tra',
  'nav.verify': 'Xác minh tài liệu',
  'nav.api': 'API',
  'skip': 'Chuyển đến nội dung',
  'lang.label': 'Ngôn ngữ',
  'lang.en': 'English',
  'lang.vi': 'Tiếng Việt',
  'footer.verified': 'Mọi thông tin được đánh dấu đã xác minh đều do trang này tự kiểm tra ngay trong trình duyệt của bạn bằng bộ SDK govchain, không dựa vào lời khẳng định của máy chủ.',
  'footer.api': 'Tài liệu API',
  'loading': 'Đang tải…',
  'error.load': 'Không tải được dữ liệu từ nút mạng: {reason}',
  'notfound.title': 'Không tìm thấy trang',
  'notfound.body': 'Không có trang nào ở địa chỉ này.',
  'notfound.home': 'Về trang tra cứu',

  'trust.title': 'Khóa của các nút xác thực',
  'trust.pinned': 'Trình duyệt này tin cậy các khóa nút xác thực đã thấy lần đầu cho chuỗi {chain} ({count} khóa, từ {date}).',
  'trust.changed': 'Cảnh báo: nút mạng hiện công bố các khóa nút xác thực khác với các khóa mà trình duyệt này tin cậy. Bằng chứng vẫn được kiểm tra theo các khóa đã tin cậy.',
  'trust.accept': 'Tin cậy các khóa mới',

  'explorer.title': 'Tra cứu minh bạch',
  'explorer.intro': 'Các khối, giao dịch và điểm kiểm tra của chuỗi. Mỗi điểm kiểm tra được các nút xác thực ký; trang này tự kiểm tra các chữ ký đó.',
  'status.title': 'Trạng thái chuỗi',
  'status.chain': 'Chuỗi',
  'status.height': 'Chiều cao',
  'status.logSize': 'Giao dịch',
  'status.certified': 'Giao dịch đã chứng nhận',
  'status.validators': 'Nút xác thực',
  'status.version': 'Phiên bản',
  'chart.title': 'Số giao dịch mỗi khối',
  'chart.desc': 'Số giao dịch trong {count} khối gần nhất, từ khối {from} đến khối {to}; nhiều nhất {max} trong một khối.',
  'chart.block': 'Khối',
  'chart.txs': 'Giao dịch',
  'blocks.title': 'Các khối mới nhất',
  'blocks.height': 'Chiều cao',
  'blocks.time': 'Thời gian',
  'blocks.txs': 'Giao dịch',
  'blocks.hash': 'Mã băm khối',
  'blocks.none': 'Chưa có khối nào.',
  'cp.latest': 'Điểm kiểm tra mới nhất',
  'cp.title': 'Điểm kiểm tra',
  'cp.intro': 'Điểm kiểm tra là một ghi chú có chữ ký (C2SP) cam kết nhật ký giao dịch và trạng thái tại một khối. Điểm kiểm tra được chứng nhận khi đủ số nút xác thực tối thiểu đã ký.',
  'cp.size': 'Kích thước nhật ký',
  'cp.root': 'Gốc nhật ký',
  'cp.height': 'Chiều cao khối',
  'cp.state': 'Gốc trạng thái',
  'cp.time': 'Thời gian',
  'cp.signatures': 'Chữ ký của các nút xác thực',
  'cp.sig.name': 'Nút xác thực',
  'cp.sig.keyHash': 'Mã băm khóa',
  'cp.sig.status': 'Chữ ký',
  'cp.sig.valid': 'Chữ ký hợp lệ',
  'cp.sig.invalid': 'Chữ ký KHÔNG hợp lệ',
  'cp.sig.unknown': 'Khóa không xác định (bỏ qua)',
  'cp.quorum': '{have} trên {need} chữ ký bắt buộc của nút xác thực là hợp lệ.',
  'cp.note': 'Ghi chú có chữ ký',
  'cp.details': 'Chi tiết',
  'log.title': 'Nhật ký chỉ ghi thêm',
  'log.first': 'Trình duyệt này đã ghi nhớ điểm kiểm tra này để ở những lần truy cập sau kiểm tra rằng nhật ký chỉ được ghi thêm, không bao giờ bị viết lại.',
  'log.ok': 'Đã xác minh trong trình duyệt: nhật ký chỉ được ghi thêm kể từ điểm kiểm tra mà trình duyệt này thấy lúc {date} ({size} giao dịch); bằng chứng nhất quán RFC 6962 hợp lệ.',
  'log.same': 'Đã xác minh trong trình duyệt: nhật ký không thay đổi kể từ lúc trình duyệt này thấy lúc {date} ({size} giao dịch).',
  'log.older': 'Nút mạng đang cung cấp một điểm kiểm tra cũ hơn ({size} giao dịch) so với điểm kiểm tra trình duyệt này đã thấy ({seen} giao dịch); có thể nút mạng đang bị chậm.',
  'log.fail': 'Cảnh báo: nhật ký KHÔNG nhất quán với điểm kiểm tra mà trình duyệt này thấy lúc {date} ({size} giao dịch): có thể nó đã bị viết lại.',

  'block.title': 'Khối {height}',
  'block.hash': 'Mã băm khối',
  'block.prev': 'Khối trước',
  'block.time': 'Thời gian',
  'block.txCount': 'Giao dịch',
  'block.txsHash': 'Mã băm danh sách giao dịch',
  'block.logSize': 'Kích thước nhật ký',
  'block.logRoot': 'Gốc nhật ký',
  'block.stateRoot': 'Gốc trạng thái',
  'block.txs': 'Các giao dịch trong khối',
  'block.verified': 'Đã xác minh trong trình duyệt: danh sách giao dịch khớp với mã băm trong tiêu đề khối, và điểm kiểm tra của khối này, được {have} trên {need} nút xác thực bắt buộc ký, có cùng gốc nhật ký, gốc trạng thái và chiều cao.',
  'block.pending': 'Chưa xác minh: khối này chưa nằm trong điểm kiểm tra đã chứng nhận.',
  'block.prevLink': 'Khối trước',
  'block.nextLink': 'Khối sau',

  'tx.title': 'Giao dịch',
  'tx.id': 'Mã giao dịch',
  'tx.type': 'Loại',
  'tx.signer': 'Người ký',
  'tx.nonce': 'Số dùng một lần',
  'tx.expires': 'Hết hạn',
  'tx.payload': 'Nội dung',
  'tx.receipt': 'Biên nhận',
  'tx.status': 'Trạng thái',
  'tx.status.ok': 'Được chấp nhận',
  'tx.status.failed': 'Thất bại ({code})',
  'tx.block': 'Khối',
  'tx.index': 'Vị trí trong khối',
  'tx.leafIndex': 'Vị trí trong nhật ký',
  'tx.events': 'Sự kiện',
  'tx.ledgerKeys': 'Người ký là một danh tính trên sổ cái (did:gov): khóa của họ được lấy từ tài liệu DID, và sổ cái đã đối chiếu khóa đó với trạng thái khi ghi nhận giao dịch.',
  'tx.verified': 'Đã xác minh trong trình duyệt: chữ ký hợp lệ, biên nhận là lá {leaf} của nhật ký giao dịch, và bằng chứng bao hàm dẫn tới gốc của một điểm kiểm tra được {have} trên {need} nút xác thực bắt buộc ký.',

  'verify.title': 'Xác minh tài liệu',
  'verify.intro': 'Kiểm tra một tài liệu đã được công chứng trên chuỗi hay chưa. Tệp của bạn không rời khỏi máy tính: chỉ dấu vân tay SHA-256 do trang này tính mới được dùng để tra cứu.',
  'verify.file.legend': 'Một tài liệu',
  'verify.file.label': 'Chọn hoặc thả một tài liệu',
  'verify.file.help': 'Bất kỳ tệp nào: PDF, hình ảnh, văn bản. Dấu vân tay được tính trong trình duyệt của bạn.',
  'verify.bundle.legend': 'Một gói bằng chứng',
  'verify.bundle.label': 'Chọn hoặc thả một gói bằng chứng (.govproof.json)',
  'verify.bundle.help': 'Gói bằng chứng được kiểm tra hoàn toàn ngoại tuyến trong trang này, không hỏi nút mạng điều gì.',
  'verify.bundle.doc.label': 'Tùy chọn: tài liệu mà gói bằng chứng chứng minh',
  'verify.drop': 'hoặc thả tệp vào đây',
  'verify.hashing': 'Đang tính dấu vân tay…',
  'verify.checking': 'Đang kiểm tra bằng chứng…',
  'verify.fileName': 'Tệp',
  'verify.fileSize': 'Kích thước',
  'verify.bytes': '{n} byte',
  'verify.digest': 'Dấu vân tay SHA-256',
  'verify.notFound': 'Tài liệu này chưa được công chứng trên chuỗi {chain}: không có bản ghi nào mang dấu vân tay này. Tài liệu bị thay đổi (dù chỉ một byte) sẽ có dấu vân tay khác.',
  'verify.ok': 'Đã xác minh trong trình duyệt: tài liệu này đã được công chứng.',
  'verify.ok.detail': 'Được {signer} ghi nhận ở khối {height}, giao dịch {txid}. Chữ ký giao dịch, biên nhận, bằng chứng bao hàm và điểm kiểm tra được {have} trên {need} nút xác thực bắt buộc ký ({time}) đều đã được kiểm tra trong trang này.',
  'verify.bundle.ok': 'Đã xác minh ngoại tuyến trong trình duyệt: gói bằng chứng hợp lệ.',
  'verify.bundle.ok.detail': 'Giao dịch {txid} ở khối {height}, nằm trong điểm kiểm tra gồm {size} giao dịch do các nút xác thực ký.',
  'verify.bundle.doc.ok': 'Tài liệu khớp với dấu vân tay đã ghi nhận.',
  'verify.bundle.trust.pinned': 'Chữ ký điểm kiểm tra được kiểm tra theo các khóa nút xác thực mà trình duyệt này tin cậy.',
  'verify.bundle.trust.bundle': 'Chữ ký điểm kiểm tra được kiểm tra theo các khóa nút xác thực có trong gói. Hãy đối chiếu chúng với các khóa do cơ quan có thẩm quyền công bố.',
  'verify.fail': 'Cảnh báo: xác minh THẤT BẠI. Không được tin kết quả này.',
  'verify.fail.detail': 'Lý do: {reason}',
  'verify.bundle.notJson': 'tệp không phải JSON',
  'verify.download': 'Tải gói bằng chứng',
  'verify.again': 'Xác minh tệp khác',
  'verify.method': 'Dấu vân tay được tính bằng {method}.',
  'verify.method.webcrypto': 'WebCrypto của trình duyệt',
  'verify.method.noble': 'SHA-256 tích hợp (trang này không ở nguồn bảo mật)',
};

const vi: Record<MessageKey, string> = { ...viBase, ...servicesVi };

/** The portal's languages. */
export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];
const LOCALE: Record<Lang, string> = { vi: 'vi-VN', en: 'en-US' };
const DICTS: Record<Lang, Record<MessageKey, string>> = { en, vi };
const STORAGE_KEY = 'govchain.lang';

/** Every message key (used by the completeness test). */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];
/** The dictionaries, for the completeness test. */
export const DICTIONARIES = DICTS;

/** The remembered language, else the browser's (Vietnamese when it prefers it), else English. */
export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'vi' || saved === 'en') return saved;
  } catch {
    // storage disabled: fall through
  }
  const prefs = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
  return prefs.some((l) => l.toLowerCase().startsWith('vi')) ? 'vi' : 'en';
}

/** Remember the language and set `<html lang>`. */
export function applyLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // storage disabled: the choice lasts this visit
  }
  document.documentElement.lang = lang;
}

/** What pages use to speak: translation and the locale's formats. */
export interface I18n {
  lang: Lang;
  locale: string;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  num(n: number): string;
  date(iso: string): string;
}

/** Build the I18n of a language. */
export function makeI18n(lang: Lang): I18n {
  const locale = LOCALE[lang];
  const dict = DICTS[lang];
  const nf = new Intl.NumberFormat(locale);
  const df = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return {
    lang,
    locale,
    t(key, params) {
      const text = dict[key];
      if (params === undefined) return text;
      return text.replace(/\{(\w+)\}/g, (m, name: string) => {
        const v = params[name];
        return v === undefined ? m : typeof v === 'number' ? nf.format(v) : v;
      });
    },
    num: (n) => nf.format(n),
    date(iso) {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : df.format(d);
    },
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));

/** The current language's I18n. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
