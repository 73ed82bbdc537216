// Chat text for the message-search benchmark, generated from a seed so every run stores the same 100,000 messages.
// Short lines of everyday words whose frequencies fall off steeply (a few words in most messages, most words in few,
// as in real chat), with emoji, accented Latin, Hebrew, Arabic and Chinese mixed in, a few long messages, and two
// marker words: RARE_WORD in about 1 message in 10,000, and ABSENT_WORD never.
import type { SeededRandom } from '../../test/support/seeded-random';

export const RARE_WORD = 'quokka';
export const ABSENT_WORD = 'zyzzyva';

// Most frequent first: the draw below favours the start of the list.
const WORDS = (
  'the you i to a and it is that for ok of on in me we be have at can will just so no yes do this are with ' +
  'what my your but not get if now up see how about was there all tomorrow today call time good know when ' +
  'think going back one let out meet here need thanks lunch should come home work like go day then did they ' +
  'still sure morning tonight great sounds later maybe already meeting right some from an too well got send ' +
  'also why want really would could which them thing week last next make after before first new people take ' +
  'office report coffee dinner weekend train bus car late soon minutes hour ready done file email phone link ' +
  'please sorry haha lol nice cool love miss happy birthday congrats project deadline client budget review ' +
  'slides draft version update release server deploy test bug fix issue ticket merge branch build pipeline ' +
  'invoice contract agenda notes summary question answer idea plan schedule calendar room booking flight ' +
  'hotel airport station ticket passport holiday vacation beach mountain rain snow weather cold hot doctor ' +
  'appointment pharmacy school kids parents brother sister friend party concert movie game match score ' +
  'football tennis running gym yoga recipe pizza pasta salad bread wine beer tea juice breakfast supper ' +
  'meetup meetings meeting-room shopping groceries market bakery garden dog cat walk park bike street'
).split(' ');

const ACCENTED = ['café', 'déjà', 'naïve', 'über', 'straße', 'señor', 'mañana', 'crème', 'brûlée', 'façade'];
const HEBREW = ['שלום', 'מה שלומך', 'תודה רבה', 'נתראה מחר', 'בוקר טוב'];
const ARABIC = ['مرحبا', 'شكرا', 'إلى اللقاء', 'صباح الخير'];
const CHINESE = ['你好', '谢谢', '明天见', '会议'];
const EMOJI = ['👋', '🙂', '😂', '👍', '🎉', '☕', '🍕', '❤️', '🙏', '😅'];

/** Random text of one chat message. */
export function chatText(random: SeededRandom): string {
  const roll = random.fraction();
  if (roll < 0.01) {
    // A long message: several sentences.
    return Array.from({ length: random.integer(4, 10) }, () => sentence(random)).join(' ');
  }
  let text = sentence(random);
  if (random.fraction() < 0.0001) text = `${text} ${RARE_WORD}`;
  if (random.fraction() < 0.08) text = `${text} ${pick(random, EMOJI)}`;
  return text;
}

function sentence(random: SeededRandom): string {
  const words: string[] = [];
  const length = random.integer(2, 18);
  for (let i = 0; i < length; i++) {
    const roll = random.fraction();
    if (roll < 0.03) words.push(pick(random, ACCENTED));
    else if (roll < 0.045) words.push(pick(random, HEBREW));
    else if (roll < 0.055) words.push(pick(random, ARABIC));
    else if (roll < 0.06) words.push(pick(random, CHINESE));
    // A steep fall-off: u³ crowds the draws towards the frequent words at the start of the list.
    else words.push(WORDS[Math.floor(random.fraction() ** 3 * WORDS.length)]!);
  }
  const first = words[0]!;
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return `${words.join(' ')}${pick(random, ['.', '?', '!', '', '...'])}`;
}

function pick<T>(random: SeededRandom, list: readonly T[]): T {
  return list[random.integer(0, list.length - 1)]!;
}
