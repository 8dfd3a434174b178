// Recipients' local time, for quiet hours: telemarketing may not reach anyone before 08:00 or after
// 21:00 where they are (TCPA), so a send outside the window is deferred to the next moment the
// window opens, never dropped.
//
// Where a recipient is comes from the number alone:
//   - NANP (+1) numbers in the US and Canada: the area code (NPA), from the table below, written
//     per state and province. An area code that spans zones takes the zone of most of its people
//     (Indiana's 812 Eastern, Kentucky's 270 Central, Florida's 850 Central, Idaho's 208 Mountain,
//     Ontario's 807 Eastern, the territories' 867 Mountain). Mobile numbers move with their owners,
//     so this is a best guess, as it is for every sender that honours quiet hours.
//   - The other NANP countries and territories (Puerto Rico, Jamaica, the Bahamas...): by country,
//     which libphonenumber gives for +1 numbers.
//   - Toll-free (8XX), non-geographic (5XX, 6XX in Canada, 700, 900) and unknown area codes have no
//     place: Canada falls back to America/Toronto and the US to America/New_York, where the most
//     people of either country live. A sender that must be strict for such numbers should narrow
//     the window rather than trust the fallback, since 08:00 in New York is 05:00 in Los Angeles.
//   - Other countries: their most populous zone (AU Sydney, BR São Paulo, RU Moscow, MX Mexico
//     City, ID Jakarta); a country not in the table, or no country (+882, +883), gives UTC.
//
// Time is read with Intl only (workerd carries ICU's time zone data), so daylight saving time is
// whatever the IANA database says for the date in question.

import type { PhoneNumber } from './phone';

/** Zones of US and Canadian area codes, by state or province. Split codes take the majority zone. */
const NANP_ZONE_TABLE: [zone: string, areaCodes: string][] = [
  [
    'America/New_York',
    [
      'CT 203 475 860 959',
      'DC 202 771',
      'DE 302',
      'FL 239 305 321 324 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954',
      'GA 229 404 470 478 678 706 762 770 912 943',
      'IN 260 317 463 574 765 812 930',
      'KY 502 606 859',
      'MA 339 351 413 508 617 774 781 857 978',
      'MD 227 240 301 410 443 667',
      'ME 207',
      'MI 231 248 269 313 517 586 616 734 810 906 947 989',
      'NC 252 336 472 704 743 828 910 919 980 984',
      'NH 603',
      'NJ 201 551 609 640 732 848 856 862 908 973',
      'NY 212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 914 917 929 934',
      'OH 216 220 234 283 326 330 380 419 436 440 513 567 614 740 937',
      'PA 215 223 267 272 412 445 484 570 582 610 717 724 814 835 878',
      'RI 401',
      'SC 803 821 839 843 854 864',
      'TN 423 729 865',
      'VA 276 434 540 571 686 703 757 804 826 948',
      'VT 802',
      'WV 304 681',
    ].join(' '),
  ],
  [
    'America/Chicago',
    [
      'AL 205 251 256 334 483 659 938',
      'AR 327 479 501 870',
      'FL 448 850',
      'IA 319 515 563 641 712',
      'IL 217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872',
      'IN 219',
      'KS 316 620 785 913',
      'KY 270 364',
      'LA 225 318 337 457 504 985',
      'MN 218 320 507 612 651 763 924 952',
      'MO 235 314 417 557 573 636 660 816 975',
      'MS 228 601 662 769',
      'ND 701',
      'NE 308 402 531',
      'OK 405 539 572 580 918',
      'SD 605',
      'TN 615 629 731 901 931',
      'TX 210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940',
      'TX 945 956 972 979',
      'WI 262 274 353 414 534 608 715 920',
    ].join(' '),
  ],
  ['America/Denver', 'CO 303 719 720 748 970 983 ID 208 986 MT 406 NM 505 575 TX 915 UT 385 435 801 WY 307'],
  // Arizona keeps standard time all year (the Navajo Nation's DST is left aside).
  ['America/Phoenix', 'AZ 480 520 602 623 928'],
  [
    'America/Los_Angeles',
    [
      'CA 209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669',
      'CA 707 714 738 747 760 805 818 820 831 837 840 858 909 916 925 949 951',
      'NV 702 725 775',
      'OR 458 503 541 971',
      'WA 206 253 360 425 509 564',
    ].join(' '),
  ],
  ['America/Anchorage', 'AK 907'],
  ['Pacific/Honolulu', 'HI 808'],
  ['America/St_Johns', 'NL 709 879'],
  ['America/Halifax', 'NS/PE 782 902 NB 428 506'],
  [
    'America/Toronto',
    'ON 226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 807 905 942 ' +
      'QC 263 273 354 367 418 438 450 468 514 579 581 819 873',
  ],
  ['America/Winnipeg', 'MB 204 431 584'],
  // Saskatchewan keeps Central standard time all year.
  ['America/Regina', 'SK 306 474 639'],
  ['America/Edmonton', 'AB 368 403 587 780 825 YT/NT/NU 867'],
  ['America/Vancouver', 'BC 236 250 257 604 672 778'],
];

/** Area code (NPA) → IANA zone for geographic US and Canadian area codes. */
export const NANP_TIME_ZONES: ReadonlyMap<string, string> = (() => {
  const zones = new Map<string, string>();
  for (const [zone, codes] of NANP_ZONE_TABLE) {
    for (const areaCode of codes.split(' ').filter((word) => /^[0-9]+$/.test(word))) {
      // A code listed twice would silently take the later zone; a typo must fail loudly instead.
      if (zones.has(areaCode) || !/^[2-9][0-9]{2}$/.test(areaCode)) {
        throw new Error(`NANP table: bad or repeated area code ${areaCode}`);
      }
      zones.set(areaCode, zone);
    }
  }
  return zones;
})();

/** Country (ISO 3166) → the zone most of its people live in. */
export const COUNTRY_TIME_ZONES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // NANP: the US and Canada fall back here when the area code says nothing.
    US: 'America/New_York',
    CA: 'America/Toronto',
    // NANP countries and territories other than the US and Canada, one zone each.
    AG: 'America/Antigua',
    AI: 'America/Anguilla',
    AS: 'Pacific/Pago_Pago',
    BB: 'America/Barbados',
    BM: 'Atlantic/Bermuda',
    BS: 'America/Nassau',
    DM: 'America/Dominica',
    DO: 'America/Santo_Domingo',
    GD: 'America/Grenada',
    GU: 'Pacific/Guam',
    JM: 'America/Jamaica',
    KN: 'America/St_Kitts',
    KY: 'America/Cayman',
    LC: 'America/St_Lucia',
    MP: 'Pacific/Saipan',
    MS: 'America/Montserrat',
    PR: 'America/Puerto_Rico',
    SX: 'America/Lower_Princes',
    TC: 'America/Grand_Turk',
    TT: 'America/Port_of_Spain',
    VC: 'America/St_Vincent',
    VG: 'America/Tortola',
    VI: 'America/St_Thomas',
    // European Union (Portugal and Spain by their mainland, not the Azores or Canaries).
    AT: 'Europe/Vienna',
    BE: 'Europe/Brussels',
    BG: 'Europe/Sofia',
    CY: 'Asia/Nicosia',
    CZ: 'Europe/Prague',
    DE: 'Europe/Berlin',
    DK: 'Europe/Copenhagen',
    EE: 'Europe/Tallinn',
    ES: 'Europe/Madrid',
    FI: 'Europe/Helsinki',
    FR: 'Europe/Paris',
    GR: 'Europe/Athens',
    HR: 'Europe/Zagreb',
    HU: 'Europe/Budapest',
    IE: 'Europe/Dublin',
    IT: 'Europe/Rome',
    LT: 'Europe/Vilnius',
    LU: 'Europe/Luxembourg',
    LV: 'Europe/Riga',
    MT: 'Europe/Malta',
    NL: 'Europe/Amsterdam',
    PL: 'Europe/Warsaw',
    PT: 'Europe/Lisbon',
    RO: 'Europe/Bucharest',
    SE: 'Europe/Stockholm',
    SI: 'Europe/Ljubljana',
    SK: 'Europe/Bratislava',
    // Rest of Europe.
    AD: 'Europe/Andorra',
    AL: 'Europe/Tirane',
    BA: 'Europe/Sarajevo',
    BY: 'Europe/Minsk',
    CH: 'Europe/Zurich',
    GB: 'Europe/London',
    IS: 'Atlantic/Reykjavik',
    LI: 'Europe/Vaduz',
    MC: 'Europe/Monaco',
    MD: 'Europe/Chisinau',
    ME: 'Europe/Podgorica',
    MK: 'Europe/Skopje',
    NO: 'Europe/Oslo',
    RS: 'Europe/Belgrade',
    RU: 'Europe/Moscow',
    TR: 'Europe/Istanbul',
    UA: 'Europe/Kyiv',
    // Middle East, Caucasus and Central Asia.
    AE: 'Asia/Dubai',
    AM: 'Asia/Yerevan',
    AZ: 'Asia/Baku',
    BH: 'Asia/Bahrain',
    GE: 'Asia/Tbilisi',
    IL: 'Asia/Jerusalem',
    IQ: 'Asia/Baghdad',
    IR: 'Asia/Tehran',
    JO: 'Asia/Amman',
    KW: 'Asia/Kuwait',
    KZ: 'Asia/Almaty',
    LB: 'Asia/Beirut',
    OM: 'Asia/Muscat',
    QA: 'Asia/Qatar',
    SA: 'Asia/Riyadh',
    UZ: 'Asia/Tashkent',
    // South, East and South-East Asia.
    BD: 'Asia/Dhaka',
    CN: 'Asia/Shanghai',
    HK: 'Asia/Hong_Kong',
    ID: 'Asia/Jakarta',
    IN: 'Asia/Kolkata',
    JP: 'Asia/Tokyo',
    KH: 'Asia/Phnom_Penh',
    KR: 'Asia/Seoul',
    LK: 'Asia/Colombo',
    MM: 'Asia/Yangon',
    MO: 'Asia/Macau',
    MY: 'Asia/Kuala_Lumpur',
    NP: 'Asia/Kathmandu',
    PH: 'Asia/Manila',
    PK: 'Asia/Karachi',
    SG: 'Asia/Singapore',
    TH: 'Asia/Bangkok',
    TW: 'Asia/Taipei',
    VN: 'Asia/Ho_Chi_Minh',
    // Oceania.
    AU: 'Australia/Sydney',
    FJ: 'Pacific/Fiji',
    NZ: 'Pacific/Auckland',
    // Latin America.
    AR: 'America/Argentina/Buenos_Aires',
    BO: 'America/La_Paz',
    BR: 'America/Sao_Paulo',
    CL: 'America/Santiago',
    CO: 'America/Bogota',
    CR: 'America/Costa_Rica',
    CU: 'America/Havana',
    EC: 'America/Guayaquil',
    GT: 'America/Guatemala',
    HN: 'America/Tegucigalpa',
    HT: 'America/Port-au-Prince',
    MX: 'America/Mexico_City',
    NI: 'America/Managua',
    PA: 'America/Panama',
    PE: 'America/Lima',
    PY: 'America/Asuncion',
    SV: 'America/El_Salvador',
    UY: 'America/Montevideo',
    VE: 'America/Caracas',
    // Africa.
    CI: 'Africa/Abidjan',
    CM: 'Africa/Douala',
    DZ: 'Africa/Algiers',
    EG: 'Africa/Cairo',
    ET: 'Africa/Addis_Ababa',
    GH: 'Africa/Accra',
    KE: 'Africa/Nairobi',
    MA: 'Africa/Casablanca',
    NG: 'Africa/Lagos',
    RW: 'Africa/Kigali',
    SN: 'Africa/Dakar',
    TN: 'Africa/Tunis',
    TZ: 'Africa/Dar_es_Salaam',
    UG: 'Africa/Kampala',
    ZA: 'Africa/Johannesburg',
    ZM: 'Africa/Lusaka',
    ZW: 'Africa/Harare',
  }),
);

/** The IANA time zone a recipient most likely lives in (see the header for the rules). */
export function timeZoneOf(number: PhoneNumber): string {
  const { country, areaCode } = number;
  const nanp = number.countryCallingCode === '1';
  // Caribbean numbers carry their own country; only US and Canadian area codes say more.
  if (nanp && areaCode !== undefined && (country === undefined || country === 'US' || country === 'CA')) {
    const zone = NANP_TIME_ZONES.get(areaCode);
    if (zone !== undefined) return zone;
  }
  const zone = country === undefined ? undefined : COUNTRY_TIME_ZONES.get(country);
  return zone ?? (nanp ? 'America/New_York' : 'UTC');
}

export interface SendWindow {
  /** Local time the window opens, "HH:MM" (24-hour). */
  start: string;
  /** Local time the window closes, "HH:MM"; a send at exactly this minute is outside. */
  end: string;
}

/** TCPA quiet hours: sends allowed from 08:00 up to, not including, 21:00 local time. */
export const DEFAULT_SEND_WINDOW: SendWindow = { start: '08:00', end: '21:00' };

/** "HH:MM" → minutes after midnight, or a plain Error naming the field and the value. */
function minutesOf(value: unknown, field: 'start' | 'end'): number {
  const match = typeof value === 'string' ? /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(value) : null;
  if (match === null) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value;
    throw new Error(`Send window ${field} must be a time of day "HH:MM" from 00:00 to 23:59, got ${shown}.`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Both ends as minutes after midnight; an empty window (start = end) would never allow a send. */
function windowMinutes(window: SendWindow): [start: number, end: number] {
  const start = minutesOf(window.start, 'start');
  const end = minutesOf(window.end, 'end');
  if (start === end) {
    throw new Error(`Send window start and end are both "${window.start}"; the window would be empty.`);
  }
  return [start, end];
}

/**
 * A send window from configuration: { start: "HH:MM", end: "HH:MM" } or the string "HH:MM-HH:MM".
 * start after end is a window across midnight ("22:00-06:00"). Throws a plain Error that says
 * what is wrong.
 */
export function parseSendWindow(value: unknown): SendWindow {
  let start: unknown;
  let end: unknown;
  if (typeof value === 'string') {
    const parts = value.split('-');
    if (parts.length !== 2) {
      throw new Error(`Send window must be written "HH:MM-HH:MM", e.g. "08:00-21:00", got ${JSON.stringify(value)}.`);
    }
    [start, end] = parts.map((part) => part.trim());
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    ({ start, end } = value as Record<string, unknown>);
  } else {
    throw new Error(
      `Send window must be { start: "HH:MM", end: "HH:MM" } or "HH:MM-HH:MM", got ${value === null ? 'null' : typeof value}.`,
    );
  }
  const window = { start, end } as SendWindow;
  windowMinutes(window);
  return { start: window.start, end: window.end };
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Building a DateTimeFormat is far slower than using one, and a pool sends to few zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at the instant `ms`. Throws a RangeError for an unknown zone. */
function wallClock(ms: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const { type, value } of formatterFor(timeZone).formatToParts(ms)) fields[type] = Number(value);
  return {
    year: fields.year!,
    month: fields.month!,
    day: fields.day!,
    hour: fields.hour! % 24, // some ICU versions write midnight as 24 even with h23
    minute: fields.minute!,
    second: fields.second!,
  };
}

/** How far `timeZone` is ahead of UTC at `ms`, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const { year, month, day, hour, minute, second } = wallClock(ms, timeZone);
  return Date.UTC(year, month - 1, day, hour, minute, second) - Math.floor(ms / 1000) * 1000;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface LocalTime {
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday, as Date#getDay. */
  weekday: number;
  /** "YYYY-MM-DD" */
  date: string;
}

/** The local time in `timeZone` at the instant `ms` (epoch milliseconds). */
export function localTime(ms: number, timeZone: string): LocalTime {
  const { year, month, day, hour, minute } = wallClock(ms, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    hour,
    minute,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
  };
}

function isInside(minuteOfDay: number, [start, end]: [number, number]): boolean {
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

function isInsideAt(ms: number, timeZone: string, window: [number, number]): boolean {
  const { hour, minute } = wallClock(ms, timeZone);
  return isInside(hour * 60 + minute, window);
}

/**
 * The instants at which the wall clock in `timeZone` shows `minuteOfDay` on the date of `day`
 * (a UTC timestamp of that date): one normally, two in the hour repeated when clocks go back,
 * none in the hour skipped when they go forward.
 */
function instantsOf(day: number, minuteOfDay: number, timeZone: string): number[] {
  const asUtc = day + minuteOfDay * 60_000;
  // The zone's offset a day either side covers both readings around a DST change.
  const offsets = new Set([offsetAt(asUtc - DAY, timeZone), offsetAt(asUtc + DAY, timeZone)]);
  const target = new Date(asUtc);
  return [...offsets]
    .map((offset) => asUtc - offset)
    .filter((ms) => {
      const wall = wallClock(ms, timeZone);
      return (
        Date.UTC(wall.year, wall.month - 1, wall.day) === day &&
        wall.hour === target.getUTCHours() &&
        wall.minute === target.getUTCMinutes()
      );
    });
}

/**
 * The first instant in (from, to] at which the zone's offset changes, if it changes; assumes at
 * most one change in the span, which holds for every zone over the few days searched here.
 */
function offsetChangeBetween(from: number, to: number, timeZone: string): number | undefined {
  const before = offsetAt(from, timeZone);
  if (offsetAt(to, timeZone) === before) return undefined;
  let [low, high] = [from, to];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle, timeZone) === before) low = middle;
    else high = middle;
  }
  return high;
}

/**
 * `ms` itself when the local time in `timeZone` is inside `window` ([start, end), across midnight
 * when start > end); otherwise the earliest later instant at which it is.
 *
 * The window opens either when the wall clock reaches `start` (today, tomorrow, or the day after
 * when a DST gap swallows a short window) or at a DST change that jumps the clock into it (a start
 * of 02:30 on the day 02:00 becomes 03:00 opens at 03:00). Both kinds of candidates are computed and
 * the earliest that is really inside the window wins, so the answer is right across DST changes.
 */
export function nextAllowedTime(ms: number, timeZone: string, window: SendWindow): number {
  const minutes = windowMinutes(window);
  if (!Number.isFinite(ms)) throw new RangeError(`nextAllowedTime needs a finite epoch time, got ${ms}.`);
  if (isInsideAt(ms, timeZone, minutes)) return ms;

  const now = wallClock(ms, timeZone);
  const today = Date.UTC(now.year, now.month - 1, now.day);
  const candidates = [0, 1, 2].flatMap((days) => instantsOf(today + days * DAY, minutes[0], timeZone));
  const change = offsetChangeBetween(ms, ms + 3 * DAY, timeZone);
  if (change !== undefined) candidates.push(change);

  const opens = candidates.filter((t) => t > ms && isInsideAt(t, timeZone, minutes)).sort((a, b) => a - b);
  if (opens[0] === undefined)
    throw new Error(`No send window ${window.start}-${window.end} in ${timeZone} within 3 days.`);
  return opens[0];
}
