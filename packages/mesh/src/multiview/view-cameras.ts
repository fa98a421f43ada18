/**
 * The four views and where their cameras stand, in hull space: x to the object's left as seen
 * from the front (the viewer's right), y up, z towards the front camera (right-handed, like glTF).
 * Like FAL's Tripo multiview (front 0°, left 90°, back 180°, right 270°), each side is named after
 * the object's side it shows: `left` is photographed from the object's left, which is the
 * viewer's right when facing the front (turn the object a quarter turn to its right, or walk a
 * quarter turn around it to your right); `right` from the opposite side.
 */
export type ViewName = 'front' | 'left' | 'back' | 'right';

export const VIEW_NAMES: readonly ViewName[] = ['front', 'left', 'back', 'right'];

export interface ViewCamera {
  /** The hull axis that runs to the right in the photo, and its sign. */
  axis: 'x' | 'z';
  sign: 1 | -1;
  /** Unit vector from the object towards the camera. */
  towards: readonly [number, number, number];
}

/**
 * Right in each photo: the front shows +x to the right; the back, seen from −z, −x; the left
 * view, seen from +x, shows the back (−z) to the right; the right view, seen from −x, the front (+z).
 */
export const VIEW_CAMERAS: Readonly<Record<ViewName, ViewCamera>> = {
  front: { axis: 'x', sign: 1, towards: [0, 0, 1] },
  back: { axis: 'x', sign: -1, towards: [0, 0, -1] },
  left: { axis: 'z', sign: -1, towards: [1, 0, 0] },
  right: { axis: 'z', sign: 1, towards: [-1, 0, 0] },
};

/** The view on the other side of the object: it sees the same outline, mirrored. */
export const OPPOSITE_VIEW: Readonly<Record<ViewName, ViewName>> = { front: 'back', back: 'front', left: 'right', right: 'left' };
