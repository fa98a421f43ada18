import sharp from 'sharp';

/**
 * Flat-coloured silhouettes on a transparent 512² canvas, so the alpha channel gives the exact
 * mask: solids of revolution seen from the side, and shapes that are not, for the shape tests.
 */

/** A vase: a flared lip, a narrow neck, a round belly and a small foot, symmetric about x = 256. */
export function vase(): Promise<Buffer> {
  return symmetricProfile(50, 470, (t) => 38 + 82 * Math.sin(0.95 * Math.PI * t) ** 2 + 22 * Math.exp(-((t / 0.06) ** 2)));
}

/** A tapered drinking glass: narrower at the base. */
export function glass(): Promise<Buffer> {
  return symmetricProfile(80, 440, (t) => 95 - 25 * t);
}

/** A horse seen from the side: body, four legs, neck and head to the right, tail to the left. */
export function horse(): Promise<Buffer> {
  return draw(`
    <ellipse cx="240" cy="250" rx="150" ry="62"/>
    <rect x="120" y="270" width="26" height="170"/><rect x="160" y="280" width="26" height="160"/>
    <rect x="300" y="270" width="26" height="170"/><rect x="340" y="260" width="26" height="180"/>
    <polygon points="330,230 390,120 420,95 470,120 470,140 430,150 385,250"/>
    <polygon points="95,215 60,240 45,330 70,330 100,250"/>`);
}

/** An L-shaped bracket: an upright and a foot. */
export function lBracket(): Promise<Buffer> {
  return draw('<path d="M 140 60 L 240 60 L 240 350 L 420 350 L 420 450 L 140 450 Z"/>');
}

/** A plain five-pointed star, point up: mirror-symmetric, but with sharp notches. */
export function star(): Promise<Buffer> {
  const points = Array.from({ length: 10 }, (_, i) => {
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    const radius = i % 2 === 0 ? 230 : 95;
    return `${(256 + radius * Math.cos(angle)).toFixed(2)},${(270 + radius * Math.sin(angle)).toFixed(2)}`;
  }).join(' ');
  return draw(`<polygon points="${points}"/>`);
}

/** A person: head, shoulders, arms apart from the body, two legs. */
export function person(): Promise<Buffer> {
  return draw(`
    <circle cx="256" cy="80" r="38"/>
    <rect x="244" y="110" width="24" height="25"/>
    <rect x="196" y="130" width="120" height="170" rx="20"/>
    <rect x="160" y="135" width="28" height="160" rx="12"/><rect x="324" y="135" width="28" height="160" rx="12"/>
    <rect x="204" y="290" width="44" height="190" rx="10"/><rect x="264" y="290" width="44" height="190" rx="10"/>`);
}

/** A mug seen from the side: a cylindrical body and a ring handle with a hole in it. */
export function mug(): Promise<Buffer> {
  return draw(`
    <circle cx="352" cy="265" r="62" fill="none" stroke="#7a3bd0" stroke-width="26"/>
    <rect x="110" y="140" width="240" height="285" rx="18"/>`);
}

/** Revolution profile r(t), t from 0 at `top` to 1 at `bottom`, drawn as a polygon about x = 256. */
function symmetricProfile(top: number, bottom: number, radius: (t: number) => number): Promise<Buffer> {
  const steps = 200;
  const right: string[] = [];
  const left: string[] = [];
  for (let i = 0; i <= steps; i++) {
    const y = top + ((bottom - top) * i) / steps;
    const r = radius(i / steps);
    right.push(`${(256 + r).toFixed(2)},${y.toFixed(2)}`);
    left.unshift(`${(256 - r).toFixed(2)},${y.toFixed(2)}`);
  }
  return draw(`<polygon points="${[...right, ...left].join(' ')}"/>`);
}

function draw(shapes: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><g fill="#7a3bd0">${shapes}</g></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
