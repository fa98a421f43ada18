import { Box3, Color, Mesh, Texture, DirectionalLight, HemisphereLight, PerspectiveCamera, Scene, Vector3, WebGLRenderer, type Object3D } from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

/** The empty viewer's colour: the browser tests compare the drawn model against it. */
const VIEWER_BACKGROUND = '#e8edf3';

const ROTATE_STEP = Math.PI / 12;
/** three's dolly scale, as its own mouse wheel passes it: below 1, so dollyIn brings the camera closer. */
const ZOOM_SCALE = 0.8;

export interface ModelViewer {
  /** Shows this GLB instead of the current model; resolves once it is drawn. */
  show(glb: ArrayBuffer): Promise<void>;
  rotate(direction: 'left' | 'right' | 'up' | 'down'): void;
  zoom(direction: 'in' | 'out'): void;
  reset(): void;
}

/** One three.js renderer for the page (browsers cap WebGL contexts), drawn only when something changes. */
export function createModelViewer(canvas: HTMLCanvasElement): ModelViewer {
  const renderer = new WebGLRenderer({ canvas, antialias: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  const scene = new Scene();
  scene.background = new Color(VIEWER_BACKGROUND);
  scene.add(new HemisphereLight(0xffffff, 0x8d99ae, 2.2));
  const sun = new DirectionalLight(0xffffff, 2);
  sun.position.set(3, 5, 4);
  scene.add(sun);
  const camera = new PerspectiveCamera(40, 1, 0.01, 1000);
  camera.position.set(0, 0, 3);
  const controls = new OrbitControls(camera, canvas);
  controls.enablePan = false;
  const loader = new GLTFLoader();
  let model: Object3D | null = null;

  const dispose = (old: Object3D) => {
    scene.remove(old);
    old.traverse((node) => {
      if (!(node instanceof Mesh)) return;
      node.geometry.dispose();
      for (const material of [node.material].flat()) {
        for (const value of Object.values(material)) if (value instanceof Texture) value.dispose();
        material.dispose();
      }
    });
  };
  const render = () => renderer.render(scene, camera);
  const resize = () => {
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    render();
  };
  new ResizeObserver(resize).observe(canvas);
  controls.addEventListener('change', render);
  resize();

  const rotate: ModelViewer['rotate'] = (direction) => {
    if (direction === 'left') controls.rotateLeft(ROTATE_STEP);
    if (direction === 'right') controls.rotateLeft(-ROTATE_STEP);
    if (direction === 'up') controls.rotateUp(ROTATE_STEP);
    if (direction === 'down') controls.rotateUp(-ROTATE_STEP);
    controls.update();
  };
  const zoom: ModelViewer['zoom'] = (direction) => {
    if (direction === 'in') controls.dollyIn(ZOOM_SCALE);
    else controls.dollyOut(ZOOM_SCALE);
    controls.update();
  };

  canvas.addEventListener('keydown', (event) => {
    const actions: Record<string, () => void> = {
      ArrowLeft: () => rotate('left'),
      ArrowRight: () => rotate('right'),
      ArrowUp: () => rotate('up'),
      ArrowDown: () => rotate('down'),
      '+': () => zoom('in'),
      '=': () => zoom('in'),
      '-': () => zoom('out'),
      '0': () => controls.reset(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  return {
    async show(glb) {
      const gltf = await loader.parseAsync(glb, '');
      if (model) dispose(model);
      model = gltf.scene;
      // Centre the model and frame it whatever its units.
      const box = new Box3().setFromObject(model);
      const size = box.getSize(new Vector3()).length() || 1;
      model.position.sub(box.getCenter(new Vector3()));
      scene.add(model);
      camera.near = size / 100;
      camera.far = size * 100;
      camera.position.set(size * 0.5, size * 0.35, size * 1.25);
      controls.target.set(0, 0, 0);
      controls.minDistance = size * 0.2;
      controls.maxDistance = size * 10;
      camera.updateProjectionMatrix();
      controls.update();
      controls.saveState();
      resize();
      render();
    },
    rotate,
    zoom,
    reset: () => controls.reset(),
  };
}
