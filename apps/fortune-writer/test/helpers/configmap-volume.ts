import { kubeletVolume } from '@fortune-sidecar/testing';

/**
 * A ConfigMap volume holding the key `fortunes.txt` (see kubeletVolume): `publish` is the
 * kubelet's update of it, `undefined` a ConfigMap without the key.
 */
export async function configMapVolume(content: string | undefined) {
  const volume = await kubeletVolume({ 'fortunes.txt': content });
  return {
    dir: volume.dir,
    path: volume.path('fortunes.txt'),
    publish: (text: string | undefined) => volume.publish({ 'fortunes.txt': text }),
  };
}
