import { describe, expect, it } from 'vitest';
import { describeViews, multiviewSources, viewsReadiness } from './views-rules.js';

const ok = (name: string) => ({ name, problem: null });

describe('the views of one object', () => {
  it('are ready with the front and a left or right view, every photo usable', () => {
    expect(viewsReadiness({})).toEqual({ ready: false, summary: '' });
    expect(viewsReadiness({ left: ok('l.jpg') })).toEqual({ ready: false, summary: 'Add the front view: the model is made facing it.' });
    expect(viewsReadiness({ front: ok('f.jpg') })).toEqual({ ready: false, summary: 'Add a left or right view: a side view is what gives the model its depth.' });
    expect(viewsReadiness({ front: ok('f.jpg'), back: ok('b.jpg') }).ready).toBe(false);
    expect(viewsReadiness({ front: ok('f.jpg'), right: ok('r.jpg') })).toEqual({ ready: true, summary: '2 views ready (front, right): they make one model.' });
    expect(viewsReadiness({ right: ok('r.jpg'), back: ok('b.jpg'), left: ok('l.jpg'), front: ok('f.jpg') })).toEqual({
      ready: true,
      summary: '4 views ready (front, left, back, right): they make one model.',
    });
  });

  it('are not ready while a photo cannot be used, and say which', () => {
    const refused = { name: 'l.bmp', problem: 'The server would refuse this file: Invalid file format' };
    expect(viewsReadiness({ front: ok('f.jpg'), left: refused })).toEqual({ ready: false, summary: 'The left photo cannot be used: remove it or choose another.' });
    expect(viewsReadiness({ front: refused, left: refused, right: ok('r.jpg') }).summary).toBe('The front and left photos cannot be used: remove them or choose another.');
  });

  it('become the client’s upload only when complete', () => {
    const file = (name: string) => new File([new Uint8Array([1])], name);
    const [front, left, back, right] = [file('f.png'), file('l.png'), file('b.png'), file('r.png')];
    expect(multiviewSources({ front, back })).toBeNull();
    expect(multiviewSources({ left, right })).toBeNull();
    expect(multiviewSources({ front, right })).toEqual({ front, right, back: undefined });
    expect(multiviewSources({ front, left, back, right })).toEqual({ front, left, back, right });
  });

  it('are named on the file’s card, side by side', () => {
    expect(describeViews({ front: 'mug-front.jpg', left: 'mug-left.jpg', back: 'mug-back.jpg' })).toBe('Made from 3 views: front mug-front.jpg, left mug-left.jpg, back mug-back.jpg');
  });
});
